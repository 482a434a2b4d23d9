"""A fake Telegram Bot API server on 127.0.0.1 (aiohttp) that the real PTB Application talks to.

It queues Update JSON for long-polling getUpdates and hands it out in batches as Telegram does (an update
stays until a getUpdates with a higher offset confirms it), answers the methods the adapter uses in the
documented Bot API shapes, records every call, enforces Telegram's 20 messages a minute per group (429 with
retry_after), and can be scripted to fail (429, 5xx, 401, 403) or to act on a call but answer late (after the
client's timeout).

Webhook mode as Telegram has it: setWebhook (url, secret_token) and deleteWebhook change `webhook`, getWebhookInfo
reports it, and getUpdates is refused (409) while one is set; `post_update` POSTs an update to a receiver as
Telegram does. `overall_limit` (messages per second over all chats, as Telegram's 30/s) answers 429 past it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456:TEST-token-for-the-fake-bot-api-000000"
BOT_ID = 123456
BOT_USERNAME = "queuewatch_test_bot"
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "queuewatch", "username": BOT_USERNAME}
MAX_HOLD = 0.5  # seconds a getUpdates long poll is held when nothing is queued (keeps tests fast)
GROUP_LIMIT, GROUP_PERIOD = 20, 60.0  # messages per group per minute, as Telegram allows
MESSAGE_METHODS = {"sendMessage", "sendPhoto"}
JSON_PARAMS = {"reply_markup", "commands", "scope", "link_preview_options", "reply_parameters", "entities",
               "allowed_updates", "caption_entities"}


@dataclass
class Call:
    """One request the bot made: the method, its parameters (JSON ones decoded) and when."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        """The chat the call is about, if any."""
        value = self.params.get("chat_id")
        return None if value is None else int(value)

    @property
    def text(self) -> str:
        """The message text or photo caption."""
        return str(self.params.get("text") or self.params.get("caption") or "")


@dataclass
class ScriptedError:
    """A failure to return instead of a method's normal answer."""

    status: int
    description: str
    parameters: dict[str, Any] | None = None


def user(user_id: int, first_name: str = "Member", username: str | None = None) -> dict[str, Any]:
    """A User object."""
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        data["username"] = username
    return data


def private_chat(user_id: int, first_name: str = "Member") -> dict[str, Any]:
    """The private Chat with a user (its id is the user's id)."""
    return {"id": user_id, "type": "private", "first_name": first_name}


def group_chat(chat_id: int, title: str = "Gig workers") -> dict[str, Any]:
    """A supergroup Chat (ids of groups are negative)."""
    return {"id": chat_id, "type": "supergroup", "title": title}


def utf16_len(text: str) -> int:
    """The length of text in UTF-16 code units, as Telegram counts entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def entities_for(text: str, bot_username: str = BOT_USERNAME) -> list[dict[str, Any]]:
    """bot_command and mention entities as a Telegram client would send them (UTF-16 offsets)."""
    result = []
    for position, word in _words(text):
        if word.startswith("/") and position == 0:
            result.append({"type": "bot_command", "offset": 0, "length": utf16_len(word)})
        elif word.startswith("@") and len(word) > 1:
            result.append({"type": "mention", "offset": utf16_len(text[:position]), "length": utf16_len(word)})
    return result


def _words(text: str):
    position = 0
    for word in text.split():
        position = text.index(word, position)
        yield position, word
        position += len(word)


class FakeBotApi:
    """The fake server: start() it, point PTB at `base_url`, queue updates, read `calls`."""

    def __init__(self, token: str = TOKEN, group_limit: int | None = GROUP_LIMIT,
                 overall_limit: float | None = None) -> None:
        self.token = token
        self.group_limit = group_limit  # None: no per-group limit
        self.overall_limit = overall_limit  # messages per second over every chat; None: no overall limit
        self._overall_sends: deque[float] = deque()
        self.webhook: dict[str, Any] | None = None  # the parameters of the last setWebhook, until deleteWebhook
        self.calls: list[Call] = []
        self.queued: dict[int, dict[str, Any]] = {}  # update id -> every update ever queued
        self.handed_out: dict[int, float] = {}  # update id -> when getUpdates first returned it
        self._group_sends: dict[int, deque[float]] = {}
        self.admins: dict[int, set[int]] = {}  # chat id -> admin user ids
        self.creators: dict[int, int] = {}  # chat id -> creator user id
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._errors: dict[str, list[ScriptedError]] = {}
        self._delays: dict[str, list[float]] = {}
        self._changed = asyncio.Condition()
        self._chats: dict[int, dict[str, Any]] = {}
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.port = 0

    @property
    def base_url(self) -> str:
        """The TELEGRAM_API_BASE_URL to use (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> FakeBotApi:
        """Listen on a random loopback port."""
        server = web.Application()
        server.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        """Stop listening (releasing any held long poll first, so closing is quick)."""
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._runner:
            await self._runner.cleanup()

    # ---- scripting -------------------------------------------------------------------------------

    def fail(self, method: str, status: int, description: str, times: int = 1, **parameters: Any) -> None:
        """Make the next `times` calls of `method` fail with this status (parameters: e.g. retry_after=1)."""
        error = ScriptedError(status, description, parameters or None)
        self._errors.setdefault(method, []).extend([error] * times)

    def delay(self, method: str, seconds: float, times: int = 1) -> None:
        """Make the next `times` calls of `method` take effect at once (the message is sent) but answer only
        after `seconds`: what a client with a shorter timeout sees as a timeout."""
        self._delays.setdefault(method, []).extend([seconds] * times)

    def queue(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (its update_id is assigned here) for the next getUpdates."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self.queued[update["update_id"]] = update
        self._notify()
        return update

    def message(self, chat: dict[str, Any], sender: dict[str, Any], text: str,
                reply_to: dict[str, Any] | None = None, entities: list[dict[str, Any]] | None = None) -> dict:
        """Queue a text message (with bot_command / mention entities unless given) and return it."""
        self._chats[chat["id"]] = chat
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": int(time.time()), "chat": chat, "from": sender,
            "text": text,
        }
        found = entities if entities is not None else entities_for(text)
        if found:
            message["entities"] = found
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self.queue({"message": message})
        return message

    def press(self, sender: dict[str, Any], message: dict[str, Any], data: str) -> str:
        """Queue a callback query: `sender` pressed the button with `data` under the bot's `message`."""
        query_id = str(next(self._callback_ids))
        self.queue({"callback_query": {"id": query_id, "from": sender, "message": message,
                                       "chat_instance": "ci-1", "data": data}})
        return query_id

    # ---- reading the record -----------------------------------------------------------------------

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Successful sendMessage and sendPhoto calls, optionally to one chat."""
        return [c for c in self.calls if c.method in ("sendMessage", "sendPhoto") and c.status == 200
                and (chat_id is None or c.chat_id == chat_id)]

    def of(self, method: str) -> list[Call]:
        """Every call of one method."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until predicate() is truthy (re-checked after every call) and return its value."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
            except TimeoutError:
                raise AssertionError(f"timed out; calls so far: {[c.method for c in self.calls]}") from None
        return predicate()

    async def wait_sent(self, chat_id: int, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait for at least `count` messages to a chat and return them."""
        return await self.wait_for(lambda: len(self.sent(chat_id)) >= count and self.sent(chat_id), timeout)

    # ---- the server -------------------------------------------------------------------------------

    def _notify(self) -> None:
        async def notify() -> None:
            async with self._changed:
                self._changed.notify_all()

        asyncio.get_running_loop().create_task(notify())

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        params, files = await _read_params(request)
        call = Call(method, {**params, **files})
        self.calls.append(call)
        scripted = self._errors.get(method)
        handler = getattr(self, f"_api_{method}", None)
        wait = self._group_wait(method, params)
        if wait is None:
            wait = self._overall_wait(method)
        if method == "getUpdates" and self.webhook is not None:
            call.status = 409
            response = _error(409, "Conflict: can't use getUpdates method while webhook is active; use "
                                   "deleteWebhook to delete the webhook first")
        elif wait is not None:
            call.status = 429
            response = _error(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        elif scripted:
            error = scripted.pop(0)
            call.status = error.status
            response = _error(error.status, error.description, error.parameters)
        elif handler is None:
            call.status = 404
            response = _error(404, "Not Found: method not found")
        else:
            try:
                call.result = await handler(params) if asyncio.iscoroutinefunction(handler) else handler(params)
                response = web.json_response({"ok": True, "result": call.result})
            except _Refused as refused:
                call.status = refused.status
                response = _error(refused.status, refused.description)
        self._notify()
        delays = self._delays.get(method)
        if delays:
            await asyncio.sleep(delays.pop(0))
        return response

    def _group_wait(self, method: str, params: dict) -> int | None:
        """Whole seconds until a group may get another message, or None if it may now (and it is counted)."""
        chat_id = params.get("chat_id")
        if self.group_limit is None or method not in MESSAGE_METHODS or chat_id is None or int(chat_id) >= 0:
            return None
        now = time.monotonic()
        sent = self._group_sends.setdefault(int(chat_id), deque())
        while sent and now - sent[0] >= GROUP_PERIOD:
            sent.popleft()
        if len(sent) >= self.group_limit:
            return max(1, math.ceil(sent[0] + GROUP_PERIOD - now))
        sent.append(now)
        return None

    def _overall_wait(self, method: str) -> int | None:
        """Seconds until any chat may get another message (Telegram's overall limit), or None (and it is counted)."""
        if self.overall_limit is None or method not in MESSAGE_METHODS:
            return None
        now = time.monotonic()
        while self._overall_sends and now - self._overall_sends[0] >= 1.0:
            self._overall_sends.popleft()
        if len(self._overall_sends) >= self.overall_limit:
            return 1
        self._overall_sends.append(now)
        return None

    def _api_setWebhook(self, params: dict) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise _Refused(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _Refused(400, "Bad Request: bad webhook: secret token contains unallowed characters")
        self.webhook = dict(params) if url else None
        return True

    def _api_getWebhookInfo(self, params: dict) -> dict:
        hook = self.webhook or {}
        return {"url": hook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0,
                "max_connections": int(hook.get("max_connections", 40)),
                **({"allowed_updates": hook["allowed_updates"]} if "allowed_updates" in hook else {})}

    async def post_update(self, url: str, update: dict[str, Any], secret: str | None = None) -> int:
        """POST an update to a webhook receiver as Telegram does (JSON, the secret in the header); the status."""
        import aiohttp

        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        async with aiohttp.ClientSession() as session, session.post(url, data=json.dumps(update),
                                                                    headers=headers) as response:
            await response.read()
            return response.status

    def update(self, chat: dict[str, Any], sender: dict[str, Any], text: str) -> dict[str, Any]:
        """An Update with a text message, as Telegram would post it to a webhook (not queued for getUpdates)."""
        self._chats[chat["id"]] = chat
        message: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                                   "from": sender, "text": text}
        found = entities_for(text)
        if found:
            message["entities"] = found
        return {"update_id": next(self._update_ids), "message": message}

    def _api_getMe(self, params: dict) -> dict:
        return {**BOT_USER, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    def _api_deleteWebhook(self, params: dict) -> bool:
        self.webhook = None
        return True

    def _api_setMyCommands(self, params: dict) -> bool:
        return True

    def _api_getMyCommands(self, params: dict) -> list:
        sets = [c.params.get("commands", []) for c in self.of("setMyCommands")]
        return sets[-1] if sets else []

    def _api_answerCallbackQuery(self, params: dict) -> bool:
        return True

    async def _api_getUpdates(self, params: dict) -> list:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            hold = min(float(params.get("timeout") or 0), MAX_HOLD)
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._updates) or self._closing), hold)
        batch = self._updates[: int(params.get("limit") or 100)]
        now = time.monotonic()
        for update in batch:
            self.handed_out.setdefault(update["update_id"], now)
        return batch

    def _api_sendMessage(self, params: dict) -> dict:
        return self._sent_message(params, {"text": params["text"]})

    def _api_sendPhoto(self, params: dict) -> dict:
        extra: dict[str, Any] = {"photo": [{"file_id": "photo-1", "file_unique_id": "u1", "width": 1,
                                            "height": 1}]}
        if params.get("caption"):
            extra["caption"] = params["caption"]
        return self._sent_message(params, extra)

    def _api_editMessageText(self, params: dict) -> dict:
        return self._sent_message(params, {"text": params["text"]}, message_id=int(params["message_id"]))

    def _api_getChatMember(self, params: dict) -> dict:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        member = user(user_id)
        if self.creators.get(chat_id) == user_id:
            return {"status": "creator", "user": member, "is_anonymous": False}
        if user_id in self.admins.get(chat_id, set()):
            rights = dict.fromkeys(
                ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                 "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
                 "can_post_stories", "can_edit_stories", "can_delete_stories"), False)
            return {"status": "administrator", "user": member, **rights, "can_manage_chat": True}
        return {"status": "member", "user": member}

    def _sent_message(self, params: dict, content: dict, message_id: int | None = None) -> dict:
        chat_id = int(params["chat_id"])
        chat = self._chats.get(chat_id) or (private_chat(chat_id) if chat_id > 0 else group_chat(chat_id))
        message = {"message_id": message_id or next(self._message_ids), "date": int(time.time()), "chat": chat,
                   "from": BOT_USER, **content}
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message


class _Refused(Exception):
    """A method's documented refusal (a Bad Request) for these parameters."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def _error(status: int, description: str, parameters: dict | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parameters from a form (url-encoded or multipart) or JSON body; uploaded files as their bytes."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, Any] = {}
    if request.content_type == "application/json":
        params.update(await request.json())
        return params, files
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = value.file.read()
        else:
            params[key] = json.loads(value) if key in JSON_PARAMS else value
    return params, files


@dataclass
class RunningBot:
    """A started TelegramAdapter talking to a FakeBotApi."""

    fake: FakeBotApi
    app: Any
    adapter: Any


@contextlib.asynccontextmanager
async def running_bot(settings, clock, registry=None, private_chat_interval: float = 0.0, start: bool = True):
    """Start the fake API, an app (the sample registry by default) and the real adapter; stop all after."""
    from pydantic import SecretStr

    from bot.adapters.telegram import TelegramAdapter
    from bot.wiring import build_app
    from tests.support.sample_commands import sample_registry

    fake = await FakeBotApi().start()
    settings = settings.model_copy(
        update={"telegram_token": SecretStr(TOKEN), "telegram_api_base_url": fake.base_url}
    )
    app = await build_app(settings, clock, registry=registry or sample_registry())
    adapter = TelegramAdapter(app, private_chat_interval=private_chat_interval)
    try:
        if start:
            await adapter.start()
        yield RunningBot(fake, app, adapter)
    finally:
        await adapter.stop()
        await app.db.close()
        await fake.close()


def peak_per_second(times: list[float]) -> int:
    """The most of these (sorted) arrival times in any one second: what a rate limit per second is checked by."""
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best
