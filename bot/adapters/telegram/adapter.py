"""The Telegram front end: PTB's Application in the shared event loop, messages and buttons to the dispatcher."""

from __future__ import annotations

import logging
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import httpx
from aiohttp import web
from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeDefault,
    CallbackQuery,
    Chat,
    InputFile,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.adapters.base import StartupError
from bot.adapters.telegram.groups import GroupReplies
from bot.adapters.telegram.inbox import Inbox, reply_ready
from bot.adapters.telegram.keyboards import keyboard, pressed
from bot.adapters.telegram.moderators import ModeratorCache
from bot.adapters.telegram.parsing import (
    mentions_bot,
    parse_command,
    replies_to_bot,
    start_target,
    without_mention,
)
from bot.adapters.telegram.polling import Poller
from bot.adapters.telegram.ratelimit import ChatRateLimiter, before_send, paced_elsewhere, retry_seconds
from bot.adapters.telegram.render import escape, render
from bot.adapters.telegram.webhook import WebhookServer, add_routes, webhook_url
from bot.core.buttons import ButtonNotYours
from bot.core.clock import unix
from bot.core.declarations import Access
from bot.core.delivery import (
    Destination,
    PartSent,
    PermanentDeliveryError,
    RetryableDeliveryError,
    UncertainDeliveryError,
)
from bot.core.errors import classify
from bot.core.i18n import LOCALES, N_, TELEGRAM_CODES, _, use_locale
from bot.core.model import Actor, Place, Platform, Reply
from bot.wiring import App

TELEGRAM_DESCRIPTION = 256  # a BotCommand description
log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
MAX_MENU_COMMANDS = 100  # the Bot API's limit per scope
EXPIRED_BUTTON = N_("This button has expired. Run the command again.")
POLL_TIMEOUT = 10  # seconds a getUpdates long poll is held open by Telegram
# httpx failures after the request was (perhaps partly) written: Telegram may have acted on it. A refused
# connection or a full connection pool means it never went out.
MAYBE_SENT = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)
STOP_TIMEOUT = 10  # seconds the updates in hand get to finish at shutdown
NAMED_ASKERS = 25  # a combined group answer names this many askers (a mention each), then "and N more"
NAME_LIMIT = 32
ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY)
# With several processes, an update left unfinished this long is taken to be a stopped process's, and answered by
# the next process that starts (younger ones may still be in another process's hands).
ORPHAN_AGE = 60


@dataclass(frozen=True)
class _GroupReply:
    """One member's reply waiting to go to a group."""

    reply: Reply
    user_id: int
    name: str
    reply_to: int | None
    thread_id: int | None


class TelegramAdapter:
    """Serves every registered command in Telegram private chats and groups."""

    name = "telegram"
    send_read_timeout: float | None = None  # seconds an outbox send waits for Telegram's answer (None: PTB's)

    def __init__(self, app: App, private_chat_interval: float = 1.0, poll_timeout: float = POLL_TIMEOUT,
                 receive: bool = True) -> None:
        token = app.settings.telegram_token
        if token is None:
            raise StartupError("TELEGRAM_TOKEN is not set")
        self.app = app
        base_url = app.settings.telegram_api_base_url
        self.application = (
            Application.builder()
            .token(token.get_secret_value())
            .base_url(base_url)
            .base_file_url(_file_url(base_url))
            .rate_limiter(ChatRateLimiter(private_chat_interval))
            .updater(None)  # polling is ours (polling.py): an update is acknowledged only once it is stored
            .build()
        )
        self.application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, self._on_message))
        self.application.add_handler(CallbackQueryHandler(self._on_button))
        self.application.add_error_handler(self._on_error)
        self._moderators = ModeratorCache(self.application.bot, app.clock)
        self.inbox = Inbox(app, self._process)
        self.poller = Poller(self.application.bot, self.inbox, poll_timeout, ALLOWED_UPDATES)
        self._groups: GroupReplies[_GroupReply] = GroupReplies(self._send_to_group, before_send)
        self.username = ""
        self.bot_id = 0
        # receive=False: this process only delivers the outbox through Telegram (a worker); another receives.
        self.receive = receive
        secret = app.settings.telegram_webhook_secret
        # Webhook mode: updates are posted to this process's web server, or to a small server of the receiver's own.
        self.webhook_mode = receive and bool(app.settings.telegram_webhook_url) and secret is not None
        self.webhook: WebhookServer | None = None
        if self.webhook_mode:
            host, port = app.settings.webhook_listen
            self.webhook = WebhookServer(host, port, self.inbox.accept, secret.get_secret_value())  # type: ignore[union-attr]

    async def start(self) -> None:
        """Check the token (getMe), publish the command menus, handle what the last run left unfinished, start
        long polling and register for the outbox."""
        api = self.app.settings.telegram_api_base_url  # the token is appended by PTB, never part of this
        try:
            await self.application.initialize()
        except InvalidToken:
            await self.application.bot.shutdown()
            raise StartupError(
                f"Telegram rejected TELEGRAM_TOKEN (getMe refused at {api}). Copy the bot token from @BotFather "
                "again, or check TELEGRAM_API_BASE_URL."
            ) from None
        except NetworkError as exc:
            await self.application.bot.shutdown()
            raise StartupError(
                f"could not reach the Telegram Bot API at {api} ({type(exc).__name__}); "
                "check the network or TELEGRAM_API_BASE_URL."
            ) from None
        bot = self.application.bot
        self.username, self.bot_id = bot.username, bot.id
        self.app.bot_usernames[self.name] = self.username
        if not self.receive:
            self.app.senders[self.name] = self
            log.info("telegram: delivering as @%s (receiving is another process's role)", self.username)
            return
        await self._publish_commands()
        try:
            await self.application.start()
            await self._resume()
            if self.webhook_mode:
                if self.webhook is not None:
                    await self.webhook.start()
                await self._set_webhook()
            else:
                await self.poller.start()  # deleteWebhook first: switching back from webhook mode
        except TelegramError as exc:
            await self.stop()
            raise StartupError(f"could not start receiving from Telegram at {api} ({type(exc).__name__})") from None
        except BaseException:
            await self.stop()
            raise
        self.app.senders[self.name] = self
        log.info("telegram: %s as @%s", "receiving webhook posts" if self.webhook_mode else "polling", self.username)

    def mount_webhook(self, web_app: web.Application) -> None:
        """In webhook mode, receive on this aiohttp application (the web role's server) instead of a server of the
        receiver's own; call before that server starts."""
        secret = self.app.settings.telegram_webhook_secret
        if self.webhook_mode and secret is not None:
            add_routes(web_app, self.inbox.accept, secret.get_secret_value())
            self.webhook = None

    async def _resume(self) -> None:
        """Answer what a stopped process left unfinished: all of it when this is the only process; with several,
        what is older than ORPHAN_AGE, by one process at a time (younger updates may be in another's hands)."""
        coordination = self.app.coordination
        if not coordination.shared:
            await self.inbox.resume()
            return
        if await coordination.lead("telegram-resume"):
            try:
                await self.inbox.resume(received_before=unix(self.app.clock.now()) - ORPHAN_AGE)
            finally:
                await coordination.resign("telegram-resume")

    async def _set_webhook(self) -> None:
        """setWebhook: Telegram posts updates to TELEGRAM_WEBHOOK_URL with the secret in a header."""
        settings = self.app.settings
        secret = settings.telegram_webhook_secret.get_secret_value()  # type: ignore[union-attr]
        await self.application.bot.set_webhook(
            url=webhook_url(settings.telegram_webhook_url, secret), secret_token=secret,
            allowed_updates=list(ALLOWED_UPDATES), max_connections=40,
        )

    @property
    def connected(self) -> bool:
        """True while long polling runs (for /healthz and /metrics)."""
        return self.poller.running

    async def stop(self) -> None:
        """Stop polling, finish the updates in hand (for a while) and close the HTTP clients."""
        self.app.senders.pop(self.name, None)
        if self.webhook is not None:
            await self.webhook.stop()  # the webhook stays set: the other receivers (or the next start) take posts
        await self.poller.stop()
        await self.inbox.close(STOP_TIMEOUT)
        await self._groups.close()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def send(self, destination: Destination, reply: Reply, first_part: int = 0,
                   part_sent: PartSent | None = None) -> None:
        """Deliver a reply for the outbox from part `first_part` on (the photo, then each text message), awaiting
        `part_sent` after each; raise a Retryable-, Uncertain- or PermanentDeliveryError on failure."""
        try:
            chat_id = int(destination.id)
        except ValueError:
            raise PermanentDeliveryError(f"not a Telegram chat id: {destination.id!r}") from None
        delivered = first_part

        async def counted(parts: int) -> None:
            nonlocal delivered
            delivered = parts
            if part_sent is not None:
                await part_sent(parts)

        timeouts = {} if self.send_read_timeout is None else {"read_timeout": self.send_read_timeout}
        paced = paced_elsewhere.set(True)
        try:
            try:
                await self._deliver(chat_id, reply, first_part=first_part, part_sent=counted, timeouts=timeouts)
            except ChatMigrated as exc:  # the group became a supergroup with a new id
                await self._deliver(int(exc.new_chat_id), reply, first_part=delivered, part_sent=counted,
                                    timeouts=timeouts)
        except RetryAfter as exc:
            seconds = retry_seconds(exc)
            raise RetryableDeliveryError(f"Telegram rate limit: retry after {seconds:g} s", seconds) from None
        except (Forbidden, BadRequest) as exc:
            raise PermanentDeliveryError(f"Telegram refused the message: {exc.message}") from None
        except NetworkError as exc:  # includes TimedOut and 5xx
            if _may_have_arrived(exc):
                raise UncertainDeliveryError(f"Telegram did not answer ({exc.message})") from None
            raise RetryableDeliveryError(f"Telegram unavailable: {exc.message}") from None
        except InvalidToken as exc:
            raise RetryableDeliveryError(f"Telegram unavailable: {exc.message}") from None
        finally:
            paced_elsewhere.reset(paced)

    async def _publish_commands(self) -> None:
        """setMyCommands: member commands for everyone, member + moderator commands for group admins; once per
        language (the English menu is the default, the others go to apps set to that language_code)."""
        registry = self.app.registry
        menus = (
            (BotCommandScopeDefault(), registry.visible(Access.MEMBER)),
            (BotCommandScopeAllChatAdministrators(), registry.visible()),
        )
        for locale in LOCALES:
            code = TELEGRAM_CODES.get(locale)  # None: the default menu, in English
            with use_locale(locale):
                for scope, commands in menus:
                    try:
                        await self.application.bot.set_my_commands(
                            [BotCommand(c.name, _(c.description)[:TELEGRAM_DESCRIPTION])
                             for c in commands[:MAX_MENU_COMMANDS]], scope=scope, language_code=code)
                    except TelegramError as exc:  # the menu is a convenience; the commands work without it
                        log.warning("telegram: could not set the %s command menu (%s): %s", scope.type, locale, exc)

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A text message: a command, a question to the bot, or group chatter (ignored)."""
        message = update.message
        user = message.from_user if message else None
        if message is None or user is None or user.is_bot or not message.text:
            return
        chat = message.chat
        private = chat.type == ChatType.PRIVATE
        parsed = parse_command(message.text, message.entities, self.username)
        try:
            if parsed is not None:
                name, args = parsed.name, parsed.args
                if name == "start" and self.app.registry.get("start") is None:
                    name, args = start_target(args)
                if not private and not parsed.addressed and self.app.registry.get(name) is None:
                    return  # a plain /command in a group may be meant for another bot
                reply = await self._run(name, args, self._actor(user, chat, message), _place(chat))
            elif private:
                reply = await self.app.dispatcher.ask(message.text, self._actor(user, chat, message), _place(chat))
            elif not message.text.startswith("/") and (
                mentions_bot(message, self.username, self.bot_id) or replies_to_bot(message, self.bot_id)
            ):
                question = without_mention(message.text, self.username)
                reply = await self.app.dispatcher.ask(question, self._actor(user, chat, message), _place(chat))
            else:
                return
        except Exception as exc:  # never leave a member without an answer
            reply = classify(exc, parsed.name if parsed else "message")
        await self._respond(chat, user, reply, reply_to=None if private else message.message_id,
                            thread_id=_thread(message))

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed inline button: answer the callback query (always), then run the button's command."""
        query = update.callback_query
        with use_locale(query.from_user.language_code):  # no dispatch ran: the member's app language
            target, refusal = None, _(EXPIRED_BUTTON)
        try:
            target = await pressed(self.app, query.data, self._viewer(query.from_user.id))
        except ButtonNotYours as exc:
            refusal = exc.message
        finally:
            await _answer(query, None if target else refusal)
        message = query.message
        if target is None or message is None:
            return
        chat = message.chat
        command, args = target
        try:
            reply = await self._run(command, args, self._actor(query.from_user, chat, None), _place(chat))
        except Exception as exc:
            reply = classify(exc, command)
        private = chat.type == ChatType.PRIVATE
        thread = _thread(message) if isinstance(message, Message) else None
        await self._respond(chat, query.from_user, reply, reply_to=None if private else message.message_id,
                            thread_id=thread)

    async def _run(self, name: str, args: str | Mapping[str, str], actor: Actor, place: Place) -> Reply:
        """Run a command from text (`args` a string) or a button (`args` a dict of raw values)."""
        if isinstance(args, Mapping):
            return await self.app.dispatcher.dispatch(name, args, actor, place)
        return await self.app.dispatcher.dispatch_line(f"/{name} {args}".rstrip(), actor, place)

    def _actor(self, user: User, chat: Chat, message: Message | None) -> Actor:
        """The person; a moderator is an admin or the creator of this group (never in a private chat), asked of
        Telegram (getChatMember) only when a moderator command needs to know."""
        locale = user.language_code  # the member's Telegram app language (IETF tag), when Telegram says
        if chat.type == ChatType.PRIVATE:
            return Actor(Platform.TELEGRAM, str(user.id), user.full_name, locale=locale)
        if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
            return Actor(Platform.TELEGRAM, str(user.id), user.full_name, is_moderator=True,  # an anonymous admin
                         locale=locale)

        async def check() -> bool:
            return await self._moderators.is_moderator(chat.id, user.id)

        return Actor(Platform.TELEGRAM, str(user.id), user.full_name, moderator_check=check, locale=locale)

    async def _process(self, raw: dict[str, Any]) -> None:
        """Handle one update from the inbox through PTB's handlers."""
        await self.application.process_update(Update.de_json(raw, self.application.bot))

    async def _respond(self, chat: Chat, user: User, reply: Reply, reply_to: int | None,
                       thread_id: int | None) -> None:
        """Answer in the chat asked from; a private reply asked for in a group goes to the member's private
        chat (Telegram has no ephemeral messages), with a pointer, or a link to start one, left in the group.
        A group's replies go through GroupReplies (see groups.py), which sends identical ones once."""
        reply_ready()
        if reply.repeat_notice:
            return  # they were told a moment ago; in a group a second "slow down" would only add noise
        if reply.private and chat.type != ChatType.PRIVATE:
            try:
                await self._deliver(user.id, self._for_private_chat(reply), viewer=self._viewer(user.id))
                reply = Reply(blocks=[_("I've sent you the answer in a private message.")])
            except Forbidden:  # Telegram lets a bot write to someone only after they start a chat with it
                reply = Reply(
                    title=_("Let's talk privately"),
                    blocks=[_("This answer is just for you, so I send it by private message. Telegram lets me "
                              "message you only after you start a chat with me: {link} (press Start), then send "
                              "the command again.").format(link=f"https://t.me/{self.username}")],
                    is_error=True,
                )
        if chat.type == ChatType.PRIVATE:
            await self._deliver(chat.id, reply, reply_to=reply_to, thread_id=thread_id, viewer=self._viewer(user.id))
        else:
            await self._groups.send(chat.id, _content(reply, thread_id),
                                    _GroupReply(reply, user.id, user.full_name, reply_to, thread_id))

    def _viewer(self, user_id: int) -> str:
        """The keyed hash of a Telegram user: whom a reply's personal buttons are bound to."""
        return self.app.person_key(str(Platform.TELEGRAM), str(user_id))

    def _for_private_chat(self, reply: Reply) -> Reply:
        """The reply without buttons that would run a community-only command: pressed in a private chat, they
        would have no community to act in."""
        def works_there(name: str) -> bool:
            command = self.app.registry.get(name)
            return command is None or not command.needs_community

        return replace(reply, buttons=[b for b in reply.buttons if works_there(b.command)])

    async def _send_to_group(self, chat_id: int, replies: list[_GroupReply]) -> None:
        """One message for replies of the same content: answering the first asker's message, naming them all."""
        first = replies[0]
        askers = list({r.user_id: r for r in replies}.values())
        header = _answering(askers) if len(askers) > 1 else None
        await self._deliver(chat_id, first.reply, reply_to=first.reply_to, thread_id=first.thread_id,
                            header=header, viewer=self._viewer(first.user_id))

    async def _deliver(self, chat_id: int, reply: Reply, reply_to: int | None = None,
                       thread_id: int | None = None, header: str | None = None, viewer: str | None = None,
                       first_part: int = 0, part_sent: PartSent | None = None,
                       timeouts: Mapping[str, float] | None = None) -> None:
        """Send a reply: an optional photo with its caption, then text messages; buttons on the last one.

        Each of these is a part: parts before `first_part` are skipped (an earlier attempt delivered them) and
        `part_sent` is awaited with the count of parts delivered after each. Telegram has no ephemeral messages:
        in a group, an ephemeral reply is sent as a reply to the member's message, so it is clear whom it answers
        (personal ones go privately: see _respond).
        """
        rendered = render(reply, header)
        markup = await keyboard(self.app, reply.buttons, viewer)
        bot = self.application.bot
        common = {"parse_mode": ParseMode.HTML, "message_thread_id": thread_id, **(timeouts or {})}
        parts = []  # each sends one message, given the reply parameters (set on the first part sent only)
        if rendered.image is not None:
            parts.append(partial(bot.send_photo, chat_id,
                                 InputFile(rendered.image.data, filename=rendered.image.filename),
                                 caption=rendered.caption or None,
                                 reply_markup=None if rendered.messages else markup, **common))
        last = len(rendered.messages) - 1
        parts += [partial(bot.send_message, chat_id, text, link_preview_options=NO_PREVIEW,
                          reply_markup=markup if index == last else None, **common)
                  for index, text in enumerate(rendered.messages)]
        reply_parameters = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        for number, send_part in enumerate(parts[first_part:], start=first_part + 1):
            await send_part(reply_parameters=reply_parameters)
            reply_parameters = None
            if part_sent is not None:
                await part_sent(number)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An error PTB caught while handling an update (usually a reply that could not be sent)."""
        error = context.error
        if isinstance(error, Forbidden | BadRequest):
            log.warning("telegram: could not reply: %s", error)
        else:
            log.error("telegram: error while handling an update", exc_info=error)


def _place(chat: Chat) -> Place:
    private = chat.type == ChatType.PRIVATE
    return Place(Platform.TELEGRAM, None if private else str(chat.id), str(chat.id), is_private=private)


def _thread(message: Message) -> int | None:
    """The forum topic to answer in, if the message was in one."""
    return message.message_thread_id if message.is_topic_message else None


async def _answer(query: CallbackQuery, text: str | None) -> None:
    try:
        await query.answer(text, show_alert=bool(text))
    except TelegramError as exc:  # e.g. the query is too old; the command still runs
        log.warning("telegram: could not answer a callback query: %s", exc)


def _may_have_arrived(exc: NetworkError) -> bool:
    """Whether a failed request may have reached Telegram: it went out, but no answer came back."""
    return isinstance(exc.__cause__, MAYBE_SENT)


def _content(reply: Reply, thread_id: int | None) -> Hashable:
    """What makes two replies one message: the same text, image and buttons, in the same forum topic."""
    image = (reply.image.data, reply.image.filename) if reply.image else None
    buttons = tuple((b.label, b.command, tuple(sorted(b.args.items())), b.style) for b in reply.buttons)
    return (thread_id, reply.title, tuple(reply.blocks), tuple(reply.fields), reply.footer, reply.is_error,
            reply.private, image, buttons)


def _answering(askers: list[_GroupReply]) -> str:
    """"For Ann, Bob and Cid:", each a mention, so everyone answered by a combined message is told."""
    names = [f'<a href="tg://user?id={a.user_id}">{escape(a.name[:NAME_LIMIT] or "member")}</a>'
             for a in askers[:NAMED_ASKERS]]
    more = len(askers) - len(names)
    listed = ", ".join(names[:-1]) + (f", {names[-1]}" if more else f" and {names[-1]}")
    return f"For {listed}{f' and {more} more' if more else ''}:"


def _file_url(base_url: str) -> str:
    """The file download URL beside a Bot API base URL (…/bot -> …/file/bot)."""
    root, _, _ = base_url.rstrip("/").rpartition("/")
    return f"{root}/file/bot" if base_url.rstrip("/").endswith("/bot") else base_url
