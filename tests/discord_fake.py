"""A fake Discord (REST v10 + a JSON text gateway) on 127.0.0.1 that the real discord.py client talks to.

It records every REST call, stores synced commands, answers interaction callbacks and follow-ups in the
documented v10 shapes, and lets a test dispatch INTERACTION_CREATE events (commands, autocomplete, clicks).
It can be scripted to fail requests, or to act on one but answer late (after the client's timeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import discord
import discord_markdown
import yarl
from aiohttp import web

TOKEN = "fake-bot-token-0123456789"
APP_ID = 900000000000000001
GUILD_ID = 910000000000000001
CHANNEL_ID = 920000000000000001
MOD_ROLE_ID = 930000000000000001
BOT_USER = {"id": str(APP_ID), "username": "queuewatch", "discriminator": "0", "global_name": "queuewatch",
            "avatar": None, "bot": True, "flags": 0, "public_flags": 0}
MANAGE_GUILD = 1 << 5
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 31)  # view channel, send messages, use application commands
TIMESTAMP = "2026-11-16T12:00:00.000000+00:00"
EPHEMERAL = 1 << 6


@dataclass
class Call:
    """One REST request the client made."""

    method: str
    path: str  # after /api/v10
    query: dict[str, str]
    json: Any = None
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    status: int = 0  # the status the fake answered with

    @property
    def message(self) -> dict[str, Any] | None:
        """The message payload this call carries (callback data, follow-up, edit, channel post), if any."""
        if self.json is None or not isinstance(self.json, dict):
            return None
        if self.path.endswith("/callback"):
            return self.json.get("data") if self.json.get("type") in (4, 7) else None
        if self.method in ("POST", "PATCH") and ("/webhooks/" in self.path or self.path.endswith("/messages")):
            return self.json
        return None


def messages(calls: list[Call]) -> list[dict[str, Any]]:
    """The message payloads among these calls, in order."""
    return [c.message for c in calls if c.message is not None and c.status < 300]


# Discord's escape rule: a backslash before any ASCII punctuation shows that character alone.
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
# What a parse of plain words gives; every other node is markup Discord would act on.
_PLAIN_NODES = {"paragraph", "text", "empty", "line_break"}


def shown(markdown: str) -> str:
    """The characters Discord shows for markdown that carries no live markup (backslash escapes removed)."""
    return _ESCAPED.sub(r"\1", markdown)


def text_of(message: dict[str, Any]) -> str:
    """Everything a person would read in a message: content, embed titles, descriptions, fields, footers."""
    parts = [shown(message.get("content") or "")]
    for embed in message.get("embeds") or []:
        parts += [shown(embed.get("title", "")), shown(embed.get("description", "")),
                  (embed.get("footer") or {}).get("text", "")]  # Discord shows footers as they are
        parts += [f"{shown(f['name'])}: {shown(f['value'])}" for f in embed.get("fields", [])]
    return "\n".join(p for p in parts if p)


def markdown_parts(message: dict[str, Any]) -> list[str]:
    """The parts of a message Discord reads as markdown: content, embed titles, descriptions, field names, values."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [text for f in embed.get("fields", []) for text in (f["name"], f["value"])]
    return [p for p in parts if p]


def live_markup(message: dict[str, Any]) -> list[str]:
    """The markup Discord would act on in a message (links, formatting, headings, lists, mentions, emoji...),
    as read by an independent parser of Discord's markdown; channel mentions <#id> are not counted."""
    found: list[str] = []

    def walk(node: Any, part: str) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, part)
        elif isinstance(node, dict) and "type" in node:
            kind, value = node["type"], node.get("value")
            if kind == "mention" and isinstance(value, dict) and value.get("type") == "channel":
                return
            if kind not in _PLAIN_NODES:
                found.append(f"{kind} in {part[:80]!r}")
            if isinstance(value, list | dict):
                walk(value if isinstance(value, list) else list(value.values()), part)

    for part in markdown_parts(message):
        walk(discord_markdown.parse(part), part)
    return found


def custom_ids(message: dict[str, Any]) -> dict[str, str]:
    """The buttons of a message: label -> custom_id."""
    return {b["label"]: b["custom_id"] for row in message.get("components") or [] for b in row["components"]}


def message_problems(message: dict[str, Any]) -> list[str]:
    """What Discord would reject in a message payload (its documented length and count limits)."""
    problems = []
    if len(message.get("content") or "") > 2000:
        problems.append("content over 2000")
    embeds = message.get("embeds") or []
    if len(embeds) > 10:
        problems.append("more than 10 embeds")
    total = 0
    for embed in embeds:
        title, description = embed.get("title") or "", embed.get("description") or ""
        footer = (embed.get("footer") or {}).get("text") or ""
        fields = embed.get("fields") or []
        limits = [(title, 256, "title"), (description, 4096, "description"), (footer, 2048, "footer")]
        limits += [(f["name"], 256, "field name") for f in fields] + [(f["value"], 1024, "field value") for f in fields]
        problems += [f"{what} over {limit}" for text, limit, what in limits if len(text) > limit]
        problems += [f"empty {what}" for text, _, what in limits[3:] if not text]
        if len(fields) > 25:
            problems.append("more than 25 fields")
        total += len(title) + len(description) + len(footer) + sum(len(f["name"]) + len(f["value"]) for f in fields)
    if total > 6000:
        problems.append("embeds over 6000 in total")
    rows = message.get("components") or []
    if len(rows) > 5 or any(len(row["components"]) > 5 for row in rows):
        problems.append("more than 5 rows of 5 components")
    for button in (b for row in rows for b in row["components"]):
        if len(button.get("custom_id", "")) > 100 or len(button.get("label", "")) > 80:
            problems.append("button custom_id over 100 or label over 80")
    return problems


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response with Content-Type exactly `application/json` (discord.py checks for equality)."""
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


def error(status: int, code: int, message: str) -> web.Response:
    """A Discord-shaped error body."""
    return json_response({"message": message, "code": code}, status=status)


def user_json(user_id: int, name: str) -> dict[str, Any]:
    """A v10 user object."""
    return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": name, "avatar": None,
            "bot": False, "flags": 0, "public_flags": 0}


class FakeDiscord:
    """The fake server; `async with FakeDiscord() as fake:` starts it and points discord.py at it."""

    def __init__(self, token: str = TOKEN, guild_ids: tuple[int, ...] = (GUILD_ID,)) -> None:
        self.token = token
        self.guild_ids = guild_ids
        self.calls: list[Call] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or a guild id -> the synced commands
        self.identify: dict[str, Any] | None = None
        self.identifies: list[dict[str, Any]] = []  # every IDENTIFY, in order (one per shard connected)
        # (method, path regex, response maker, how many more times: None for every time)
        self._failures: list[list[Any]] = []
        self._delays: list[list[Any]] = []  # [method, pattern, seconds, calls left]
        self._sockets: list[tuple[web.WebSocketResponse, Iterator[int]]] = []
        self._ids = itertools.count(990000000000000001)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._saved: tuple[str, yarl.URL] | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------------------------
    async def __aenter__(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = f"http://127.0.0.1:{self.port}/api/v10"
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._saved is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved
        for ws, _ in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def gateway_url(self) -> str:
        """The websocket URL of the fake gateway."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- test controls ------------------------------------------------------------------------------
    def fail(self, method: str, path_pattern: str, status: int, code: int, message: str,
             headers: dict[str, str] | None = None, body: dict[str, Any] | None = None,
             times: int | None = None) -> None:
        """Make matching requests fail with a Discord-shaped error (path is a regex after /api/v10): the next
        `times` of them, or every one when `times` is None."""
        payload = body or {"message": message, "code": code}
        self._failures.append(
            [method, re.compile(path_pattern), lambda: json_response(payload, status=status, headers=headers), times]
        )

    def delay(self, method: str, path_pattern: str, seconds: float, times: int = 1) -> None:
        """Make the next `times` matching requests take effect at once (a message is posted) but answer only
        after `seconds`."""
        self._delays.append([method, re.compile(path_pattern), seconds, times])

    def clear_failures(self) -> None:
        """Stop failing requests."""
        self._failures.clear()

    def calls_to(self, method: str, pattern: str) -> list[Call]:
        """The recorded calls with this method whose path matches the regex."""
        regex = re.compile(pattern)
        return [c for c in self.calls if c.method == method and regex.search(c.path)]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until predicate() holds after some request, or fail after timeout seconds."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway DISPATCH event to every connected client."""
        for ws, seq in list(self._sockets):
            if not ws.closed:
                await ws.send_str(json.dumps({"op": 0, "t": event, "s": next(seq), "d": data}))

    async def interact(self, payload: dict[str, Any], timeout: float = 5.0) -> list[Call]:
        """Dispatch an INTERACTION_CREATE and return the calls answering it once it is fully answered."""
        await self.dispatch("INTERACTION_CREATE", payload)
        await self.wait_for(lambda: self._answered(payload), timeout)
        return self.answers(payload)

    def answers(self, payload: dict[str, Any]) -> list[Call]:
        """Every call made for this interaction (callback, follow-ups, original-response edits)."""
        marks = (f"/interactions/{payload['id']}/", f"/{payload['token']}")
        return [c for c in self.calls if any(mark in c.path for mark in marks)]

    def _answered(self, payload: dict[str, Any]) -> bool:
        calls = self.answers(payload)
        callback = next((c for c in calls if c.path.endswith("/callback") and c.status < 300), None)
        if callback is None:
            return False
        if callback.json.get("type") in (5, 6):  # deferred: wait for the follow-up or the edit
            return any(c.method in ("POST", "PATCH") and "/webhooks/" in c.path and c.status < 300 for c in calls)
        return True

    # -- interaction payloads (Discord API v10) -----------------------------------------------------
    def interaction(self, kind: int, data: dict[str, Any], *, user_id: int = 111, name: str = "Member",
                    in_guild: bool = True, permissions: int = MEMBER_PERMISSIONS, roles: tuple[int, ...] = (),
                    message: dict[str, Any] | None = None) -> dict[str, Any]:
        """An INTERACTION_CREATE payload from a member in the fake server's channel, or from a DM."""
        interaction_id = next(self._ids)
        user = user_json(user_id, name)
        payload: dict[str, Any] = {
            "id": str(interaction_id), "application_id": str(APP_ID), "type": kind, "data": data,
            "token": f"itoken{interaction_id}", "version": 1, "locale": "en-US", "entitlements": [],
            "app_permissions": str(MEMBER_PERMISSIONS), "attachment_size_limit": 10 * 1024 * 1024,
        }
        if in_guild:
            payload.update(
                guild_id=str(GUILD_ID), guild={"id": str(GUILD_ID), "locale": "en-US", "features": []},
                guild_locale="en-US", channel_id=str(CHANNEL_ID), channel=self._text_channel(), context=0,
                authorizing_integration_owners={"0": str(GUILD_ID)},
                member={"user": user, "roles": [str(r) for r in roles], "joined_at": TIMESTAMP, "deaf": False,
                        "mute": False, "flags": 0, "pending": False, "nick": None, "avatar": None,
                        "premium_since": None, "permissions": str(permissions)},
            )
        else:
            dm_id = 940000000000000000 + user_id
            payload.update(channel_id=str(dm_id), channel={"id": str(dm_id), "type": 1, "recipients": [user]},
                           user=user, context=1, authorizing_integration_owners={"0": "0"})
        if message is not None:
            payload["message"] = message
        return payload

    def command(self, name: str, options: dict[str, Any], **who: Any) -> dict[str, Any]:
        """A slash-command interaction; option types are taken from the synced command, as Discord does."""
        synced = self.synced(name)
        types = {o["name"]: o["type"] for o in synced.get("options", [])}
        data = {"id": synced.get("id", "0"), "name": name, "type": 1,
                "options": [{"name": k, "type": types.get(k, 3), "value": v} for k, v in options.items()]}
        if in_resolved := [v for k, v in options.items() if types.get(k) == 7]:
            data["resolved"] = {"channels": {str(v): {**self._text_channel(), "id": str(v)} for v in in_resolved}}
        return self.interaction(2, data, **who)

    def autocomplete(self, name: str, focused: str, typed: str, **who: Any) -> dict[str, Any]:
        """An autocomplete interaction for one option being typed."""
        synced = self.synced(name)
        types = {o["name"]: o["type"] for o in synced.get("options", [])}
        option = {"name": focused, "type": types.get(focused, 3), "value": typed, "focused": True}
        return self.interaction(4, {"id": synced.get("id", "0"), "name": name, "type": 1, "options": [option]},
                                **who)

    def click(self, custom_id: str, **who: Any) -> dict[str, Any]:
        """A button click on a message the bot sent earlier."""
        message = self._message(CHANNEL_ID, {"content": "", "components": []}, [])
        return self.interaction(3, {"custom_id": custom_id, "component_type": 2}, message=message, **who)

    def synced(self, name: str) -> dict[str, Any]:
        """The synced declaration of a command (guild scope first), or {} if it was never synced."""
        for commands in self.commands.values():
            for command in commands:
                if command["name"] == name:
                    return command
        return {}

    # -- REST ---------------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        call = Call(request.method, path, dict(request.query))
        if request.content_type == "multipart/form-data":
            form = await request.post()
            for key, value in form.items():
                if key == "payload_json":
                    call.json = json.loads(str(value))
                elif isinstance(value, web.FileField):
                    call.files.append((key, value.filename, value.file.read()))
        elif request.can_read_body:
            call.json = await request.json()
        self.calls.append(call)
        try:
            response = self._respond(request, call)
            call.status = response.status
        finally:
            async with self._changed:
                self._changed.notify_all()
        for delay in self._delays:
            if delay[3] > 0 and delay[0] == call.method and delay[1].search(call.path):
                delay[3] -= 1
                await asyncio.sleep(delay[2])
                break
        return response

    def _respond(self, request: web.Request, call: Call) -> web.StreamResponse:
        for failure in self._failures:
            method, pattern, make, times = failure
            if method == call.method and pattern.search(call.path) and times != 0:
                failure[3] = None if times is None else times - 1
                return make()
        public = call.path.startswith(("/interactions/", "/webhooks/"))
        if not public and request.headers.get("Authorization") != f"Bot {self.token}":
            return error(401, 0, "401: Unauthorized")
        if call.message is not None and (problems := message_problems(call.message)):
            return error(400, 50035, "Invalid Form Body: " + "; ".join(problems))
        m, p = call.method, call.path
        if (m, p) == ("GET", "/users/@me"):
            return json_response(BOT_USER)
        if (m, p) == ("GET", "/oauth2/applications/@me"):
            return json_response(self._application())
        if m == "GET" and p in ("/gateway", "/gateway/bot"):
            return json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": {
                "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})
        if match := re.fullmatch(r"/applications/(\d+)(?:/guilds/(\d+))?/commands", p):
            scope = match.group(2) or "global"
            if m == "PUT":
                self.commands[scope] = [self._stored_command(c, match.group(2)) for c in call.json]
            return json_response(self.commands.get(scope, []))
        if match := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", p):
            return self._callback(call, int(match.group(1)))
        if match := re.fullmatch(r"/webhooks/(\d+)/([^/]+)(/messages/(@original|\d+))?", p):
            if m == "DELETE":
                return web.Response(status=204)
            flags = (call.json or {}).get("flags", 0) or 0
            return json_response(self._message(CHANNEL_ID, call.json or {}, call.files, flags=flags, webhook=True))
        if (match := re.fullmatch(r"/channels/(\d+)/messages", p)) and m == "POST":
            return json_response(self._message(int(match.group(1)), call.json or {}, call.files))
        if match := re.fullmatch(r"/channels/(\d+)", p):
            return json_response({**self._text_channel(), "id": match.group(1)})
        if (m, p) == ("POST", "/users/@me/channels"):
            user_id = int(call.json["recipient_id"])
            return json_response({"id": str(940000000000000000 + user_id), "type": 1, "last_message_id": None,
                                  "recipients": [user_json(user_id, "Someone")]})
        return error(404, 0, "404: Not Found")

    def _callback(self, call: Call, interaction_id: int) -> web.Response:
        kind = call.json["type"]
        data = call.json.get("data") or {}
        flags = data.get("flags", 0) or 0
        body: dict[str, Any] = {"interaction": {
            "id": str(interaction_id), "type": 2, "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(flags & EPHEMERAL)}}
        if kind in (4, 5, 7):
            message = self._message(CHANNEL_ID, data, call.files, flags=flags, webhook=True)
            body["interaction"]["response_message_id"] = message["id"]
            body["resource"] = {"type": kind, "message": message}
        return json_response(body)

    def _message(self, channel_id: int, payload: dict[str, Any], files: list[tuple[str, str, bytes]], *,
                 flags: int = 0, webhook: bool = False) -> dict[str, Any]:
        message_id = str(next(self._ids))
        attachments = [
            {"id": str(next(self._ids)), "filename": filename, "size": len(data), "content_type": "image/png",
             "url": f"https://cdn.invalid/{filename}", "proxy_url": f"https://cdn.invalid/{filename}"}
            for _, filename, data in files
        ]
        message = {
            "id": message_id, "channel_id": str(channel_id), "type": 0, "content": payload.get("content") or "",
            "author": BOT_USER, "embeds": payload.get("embeds") or [], "attachments": attachments,
            "components": payload.get("components") or [], "mentions": [], "mention_roles": [],
            "mention_everyone": False, "pinned": False, "tts": False, "timestamp": TIMESTAMP,
            "edited_timestamp": None, "flags": flags,
        }
        if webhook:
            message["webhook_id"] = str(APP_ID)
            message["application_id"] = str(APP_ID)
        return message

    def _stored_command(self, command: dict[str, Any], guild_id: str | None) -> dict[str, Any]:
        stored = {**command, "id": str(next(self._ids)), "application_id": str(APP_ID), "version": "1"}
        if guild_id:
            stored["guild_id"] = guild_id
        return stored

    def _application(self) -> dict[str, Any]:
        return {"id": str(APP_ID), "name": "queuewatch", "description": "", "icon": None, "bot_public": True,
                "bot_require_code_grant": False, "owner": user_json(1, "owner"), "verify_key": "0" * 64,
                "flags": 0, "team": None, "summary": "", "rpc_origins": [], "bot": BOT_USER}

    def _text_channel(self) -> dict[str, Any]:
        return {"id": str(CHANNEL_ID), "type": 0, "guild_id": str(GUILD_ID), "name": "general", "position": 0,
                "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None,
                "last_message_id": None, "rate_limit_per_user": 0, "flags": 0}

    def _guild(self, guild_id: int) -> dict[str, Any]:
        everyone = {"id": str(guild_id), "name": "@everyone", "permissions": str(MEMBER_PERMISSIONS),
                    "position": 0, "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
        mods = {**everyone, "id": str(MOD_ROLE_ID), "name": "mods", "position": 1}
        return {
            "id": str(guild_id), "name": "Gig Workers", "icon": None, "owner_id": "1", "unavailable": False,
            "member_count": 2, "large": False, "features": [], "roles": [everyone, mods], "emojis": [],
            "stickers": [], "channels": [self._text_channel()], "threads": [], "members": [], "voice_states": [],
            "presences": [], "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
            "premium_tier": 0, "preferred_locale": "en-US", "joined_at": TIMESTAMP, "verification_level": 0,
            "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0,
            "system_channel_flags": 0,
        }

    # -- gateway ------------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        seq = itertools.count(1)
        self._sockets.append((ws, seq))
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}, "s": None, "t": None}))
        try:
            async for msg in ws:
                if msg.type != web.WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                if frame["op"] == 1:  # heartbeat
                    await ws.send_str(json.dumps({"op": 11, "d": None}))
                elif frame["op"] == 2:  # identify
                    self.identify = frame["d"]
                    self.identifies.append(frame["d"])
                    await self._ready(ws, seq, frame["d"].get("shard"))
                elif frame["op"] == 6:  # resume
                    await ws.send_str(json.dumps({"op": 0, "t": "RESUMED", "s": next(seq), "d": {}}))
        finally:
            self._sockets.remove((ws, seq))
        return ws

    async def _ready(self, ws: web.WebSocketResponse, seq: Iterator[int], shard: list[int] | None = None) -> None:
        # A shard [id, count] is sent the guilds Discord routes to it: (guild_id >> 22) % count == id.
        guilds = [g for g in self.guild_ids if shard is None or (g >> 22) % shard[1] == shard[0]]
        ready = {"v": 10, "user": BOT_USER, "guilds": [{"id": str(g), "unavailable": True} for g in guilds],
                 "session_id": "fake-session", "resume_gateway_url": self.gateway_url,
                 "application": {"id": str(APP_ID), "flags": 0}, "private_channels": [], "relationships": []}
        if shard is not None:
            ready["shard"] = shard
        await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": next(seq), "d": ready}))
        for guild_id in guilds:
            await ws.send_str(json.dumps({"op": 0, "t": "GUILD_CREATE", "s": next(seq), "d": self._guild(guild_id)}))


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll until predicate() holds (for effects that make no request, such as a log line), or fail."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def connected(app: Any) -> Any:
    """A started DiscordAdapter on `app` (whose settings carry the fake's token), stopped afterwards."""
    from bot.adapters.discord import DiscordAdapter

    adapter = DiscordAdapter(app, ready_timeout=5.0, guild_ready_timeout=0.01)
    await adapter.start()
    try:
        yield adapter
    finally:
        await adapter.stop()


def discord_settings(**overrides: Any) -> Any:
    """Settings for a test: an in-memory database, the fake's token, its server as the sync target."""
    from bot.settings import load_settings

    values: dict[str, Any] = {"database_url": "sqlite:///:memory:", "queuewatch_secret": "test-secret-0123456789",
                              "discord_token": TOKEN, "discord_guild_ids": [GUILD_ID],
                              "discord_mod_role_ids": [MOD_ROLE_ID]}
    return load_settings(**{**values, **overrides})
