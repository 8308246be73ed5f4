"""One method per action of the catalogue, mixed into :class:`miogram_toolkit.Client`.

Each method validates its arguments, builds the document's fields and reads the answer into a
Python value. Agent actions (all but ``API…``) take ``robot=`` (campaigns rotate agents); every
method takes ``timeout=`` and ``retries=`` for that call alone (:mod:`~.policy`).

Results by kind, the same in both dialects the service speaks: Bool actions -> ``bool``
(Status "fail" is ``False``, not an exception; so is the implementation's ``"Number Not Exist or
Wrong"`` error for a number that is not on the messenger — nothing was delivered or charged);
Mass actions -> ``dict[str, bool]`` keyed by the numbers as passed (a WhatsApp Mass answered
with a single ``true`` -> every number ``True``); credits -> ``dict[str, int]``; limits ->
:class:`~miogram_toolkit.protocol.decode.Limits` (sizes in bytes, ``can_get``/``is_super``
apart); the ``1``/``0`` flags -> ``bool``; agents and IPs -> ``list[str]``; objects -> the
objects, or ``None`` when there are none; the chat -> ``list[ChatMessage]``; the report ->
``list[dict]``, the records as the service gives them (``[]`` for 111 No DATA).

Example:
    >>> from miogram_toolkit.client import Client
    >>> from miogram_toolkit.simulator import Simulator
    >>> with Simulator(seed=7, credits={"Other": 300}) as sim, Client.to(sim) as client:
    ...     client.send_location("+989121234567", 35.6892, 51.389)
    ...     client.get_credits()["Other"]
    True
    299
"""

from __future__ import annotations

import ipaddress
import logging
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, Unpack

from miogram_toolkit.client.policy import CallOptions, with_options
from miogram_toolkit.protocol.catalogue import ACTIONS, CREDIT_KINDS
from miogram_toolkit.protocol.chat import ChatMessage, read_chat_messages
from miogram_toolkit.protocol.decode import (
    Limits,
    limits,
    normalize_status,
    number_map,
    objects,
    reading,
    report_records,
    split_list,
    table,
    to_bool,
)
from miogram_toolkit.protocol.encode import (
    FileInput,
    coordinate,
    file_fields,
    message_field,
    misc_item,
    non_negative_int,
    phone_field,
    phones_field,
    text_token,
)
from miogram_toolkit.protocol.errors import BadNumber, BadResponse, NoData

__all__ = ["WHATSAPP_BATCH", "ActionMethods"]

logger = logging.getLogger("miogram_toolkit.client.core")

T = TypeVar("T")

#: The vendor's recommended number of WhatsApp recipients per request.
WHATSAPP_BATCH = 100


class ActionMethods:
    """The 43 action methods; :class:`~miogram_toolkit.Client` supplies ``_request``."""

    #: The dialect the service answered in, once seen: "reference", "document" or None.
    dialect: str | None = None

    def _request(self, func: str, fields: dict[str, str], *,
                 robot: str | None = None) -> dict[str, Any]:
        raise NotImplementedError  # pragma: no cover - Client implements it

    def _learn_dialect(self) -> str:
        raise NotImplementedError  # pragma: no cover - Client implements it

    # -- shapes of answer ---------------------------------------------------------------------

    def _read(self, func: str, fields: dict[str, str], decode: Callable[[dict[str, Any]], T],
              robot: str | None = None) -> T:
        """Request, then decode; anything failing in the decoder is a BadResponse."""
        answer = self._request(func, fields, robot=robot)
        return reading(func, lambda: decode(answer))

    def _bool(self, func: str, fields: dict[str, str], robot: str | None = None) -> bool:
        try:
            answer = self._request(func, fields, robot=robot)
        except BadNumber as exc:
            if "Phone" not in fields:
                raise
            # The implementation's answer for a number not on the messenger: not delivered,
            # not charged — the same outcome as the document's Status "fail".
            logger.info("%s: %s; read as not delivered", func, exc.message)
            return False
        return reading(func, lambda: normalize_status(answer.get("Status")) != "fail"
                       and to_bool(answer.get("Result"), func))

    def _mass(self, func: str, phones: Sequence[str], fields: dict[str, str],
              robot: str | None) -> dict[str, bool]:
        joined = phones_field(phones)
        sent = joined.split(",")
        if func.startswith("SendMessageWhatsApp") and len(sent) > WHATSAPP_BATCH:
            warnings.warn(f"{func}: {len(sent)} numbers in one request; MioGram recommends at "
                          f"most {WHATSAPP_BATCH} per WhatsApp request", UserWarning,
                          stacklevel=3)
        return self._read(func, {"Phone": joined, **fields},
                          lambda answer: number_map(answer.get("Result"), sent, func), robot)

    def _objects(self, func: str, fields: dict[str, str], robot: str | None) -> Any:
        return self._read(func, fields, lambda answer: objects(
            normalize_status(answer.get("Status")), answer.get("Result")), robot)

    def _flag(self, func: str) -> bool:
        return self._read(func, {}, lambda answer: to_bool(answer.get("Result"), func))

    def _string(self, func: str) -> str:
        result = self._request(func, {}).get("Result")
        if not isinstance(result, str):
            raise BadResponse(f"{func}: Result should be a string, got {type(result).__name__}",
                              action=func)
        return result

    # -- agent presence and the agent's own account --------------------------------------------

    def set_status_online(self, online: bool, *, robot: str | None = None,
                          **options: Unpack[CallOptions]) -> bool:
        """Show the agent as online (``True``) or offline; Misc ``Online``/``Offline``."""
        if not isinstance(online, bool):
            raise ValueError(f"online: must be True or False, got {online!r}")
        return self._bool("SetStatusOnline", {"Misc": "Online" if online else "Offline"}, robot)

    def send_typing(self, phone: str, *, robot: str | None = None,
                    **options: Unpack[CallOptions]) -> bool:
        """Show "typing…" to one user."""
        return self._bool("SendTyping", {"Phone": phone_field(phone)}, robot)

    def set_profile_name(self, first: str, last: str, *, robot: str | None = None,
                         **options: Unpack[CallOptions]) -> bool:
        """Set the agent's first and last name; Misc ``first,last``."""
        misc = f"{misc_item('first', first)},{misc_item('last', last)}"
        return self._bool("SetProfileName", {"Misc": misc}, robot)

    def set_username(self, username: str, *, robot: str | None = None,
                     **options: Unpack[CallOptions]) -> bool:
        """Create or change the agent's username (no spaces)."""
        return self._bool("SetUsername", {"Misc": text_token("username", username)}, robot)

    def set_profile_photo(self, photo: FileInput, *, robot: str | None = None,
                          **options: Unpack[CallOptions]) -> bool:
        """Set the agent's profile photo from a path or bytes (only Data is sent)."""
        # SetProfilePhoto sends no Misc, so the extension is never needed: pass a placeholder.
        _, data = file_fields(photo, "jpg", "photo")
        return self._bool("SetProfilePhoto", {"Data": data}, robot)

    # -- text messages ------------------------------------------------------------------------

    def send_message(self, phone: str, message: str, *, robot: str | None = None,
                     **options: Unpack[CallOptions]) -> bool:
        """Send a text message to one number; True when delivered."""
        fields = {"Phone": phone_field(phone), "Message": message_field(message)}
        return self._bool("SendMessage", fields, robot)

    def send_message_mass(self, phones: Sequence[str], message: str, *,
                          robot: str | None = None,
                          **options: Unpack[CallOptions]) -> dict[str, bool]:
        """Send a text message to several numbers; ``{number: delivered}``."""
        return self._mass("SendMessageMass", phones, {"Message": message_field(message)}, robot)

    def send_message_whatsapp(self, phone: str, message: str, *,
                              robot: str | None = None, **options: Unpack[CallOptions]) -> bool:
        """Send a text over WhatsApp (beta: the service always answers True)."""
        fields = {"Phone": phone_field(phone), "Message": message_field(message)}
        return self._bool("SendMessageWhatsApp", fields, robot)

    def send_message_whatsapp_mass(self, phones: Sequence[str], message: str, *,
                                   robot: str | None = None,
                                   **options: Unpack[CallOptions]) -> dict[str, bool]:
        """Send a text over WhatsApp to several numbers (beta; warns above 100 numbers)."""
        return self._mass("SendMessageWhatsAppMass", phones,
                          {"Message": message_field(message)}, robot)

    # -- files and media: Misc = extension, Data = base64 --------------------------------------

    def _send_file(self, func: str, phone: str, file: FileInput, extension: str | None,
                   robot: str | None) -> bool:
        phone = phone_field(phone)
        ext, data = file_fields(file, extension)
        return self._bool(func, {"Phone": phone, "Misc": ext, "Data": data}, robot)

    def _send_file_mass(self, func: str, phones: Sequence[str], file: FileInput,
                        extension: str | None, robot: str | None) -> dict[str, bool]:
        phones_field(phones)  # numbers are checked before the file is read
        ext, data = file_fields(file, extension)
        return self._mass(func, phones, {"Misc": ext, "Data": data}, robot)

    def send_photo(self, phone: str, file: FileInput, *, extension: str | None = None,
                   robot: str | None = None, **options: Unpack[CallOptions]) -> bool:
        """Send a photo (a path, or bytes with ``extension=``) to one number."""
        return self._send_file("SendPhoto", phone, file, extension, robot)

    def send_video(self, phone: str, file: FileInput, *, extension: str | None = None,
                   robot: str | None = None, **options: Unpack[CallOptions]) -> bool:
        """Send a video to one number."""
        return self._send_file("SendVideo", phone, file, extension, robot)

    def send_audio(self, phone: str, file: FileInput, *, extension: str | None = None,
                   robot: str | None = None, **options: Unpack[CallOptions]) -> bool:
        """Send an audio file to one number."""
        return self._send_file("SendAudio", phone, file, extension, robot)

    def send_text(self, phone: str, file: FileInput, *, extension: str | None = None,
                  robot: str | None = None, **options: Unpack[CallOptions]) -> bool:
        """Send a text *file* to one number."""
        return self._send_file("SendText", phone, file, extension, robot)

    def send_file(self, phone: str, file: FileInput, *, extension: str | None = None,
                  robot: str | None = None, **options: Unpack[CallOptions]) -> bool:
        """Send any kind of file to one number."""
        return self._send_file("SendFile", phone, file, extension, robot)

    def send_document(self, phone: str, file: FileInput, *, extension: str | None = None,
                      robot: str | None = None, **options: Unpack[CallOptions]) -> bool:
        """Send a document to one number."""
        return self._send_file("SendDocument", phone, file, extension, robot)

    def send_photo_mass(self, phones: Sequence[str], file: FileInput, *,
                        extension: str | None = None,
                        robot: str | None = None,
                        **options: Unpack[CallOptions]) -> dict[str, bool]:
        """Send a photo to several numbers; ``{number: delivered}``."""
        return self._send_file_mass("SendPhotoMass", phones, file, extension, robot)

    def send_video_mass(self, phones: Sequence[str], file: FileInput, *,
                        extension: str | None = None,
                        robot: str | None = None,
                        **options: Unpack[CallOptions]) -> dict[str, bool]:
        """Send a video to several numbers."""
        return self._send_file_mass("SendVideoMass", phones, file, extension, robot)

    def send_file_mass(self, phones: Sequence[str], file: FileInput, *,
                       extension: str | None = None,
                       robot: str | None = None, **options: Unpack[CallOptions]) -> dict[str, bool]:
        """Send a file to several numbers."""
        return self._send_file_mass("SendFileMass", phones, file, extension, robot)

    # -- location and contact -----------------------------------------------------------------

    def send_location(self, phone: str, latitude: float, longitude: float, *,
                      robot: str | None = None, **options: Unpack[CallOptions]) -> bool:
        """Send a map location; Misc ``latitude,longitude`` in fixed-point degrees."""
        misc = f"{coordinate('latitude', latitude, 90)},{coordinate('longitude', longitude, 180)}"
        return self._bool("SendLocation", {"Phone": phone_field(phone), "Misc": misc}, robot)

    def send_contact(self, phone: str, name: str, phone_number: str, *,
                     robot: str | None = None, **options: Unpack[CallOptions]) -> bool:
        """Send a contact card (name and international number) to ``phone``."""
        misc = f"{misc_item('name', name)},{phone_field(phone_number, 'phone_number')}"
        return self._bool("SendContact", {"Phone": phone_field(phone), "Misc": misc}, robot)

    # -- groups and chats ---------------------------------------------------------------------

    def create_group_chat(self, phones: Sequence[str], name: str, *,
                          robot: str | None = None, **options: Unpack[CallOptions]) -> bool:
        """Create a group with these members (the one non-Mass action taking several numbers)."""
        fields = {"Phone": phones_field(phones), "Misc": misc_item("name", name)}
        return self._bool("CreateGroupChat", fields, robot)

    def chat_info(self, chat: str, *, robot: str | None = None,
                  **options: Unpack[CallOptions]) -> Any:
        """A chat's or group's information, or None when there is none."""
        return self._objects("ChatInfo", {"Misc": misc_item("chat", chat)}, robot)

    def rename_chat(self, old: str, new: str, *, robot: str | None = None,
                    **options: Unpack[CallOptions]) -> bool:
        """Rename a chat; Misc ``old,new``."""
        misc = f"{misc_item('old', old)},{misc_item('new', new)}"
        return self._bool("RenameChat", {"Misc": misc}, robot)

    def chat_add_user(self, phone: str, chat: str, forward_count: int = 0, *,
                      robot: str | None = None, **options: Unpack[CallOptions]) -> bool:
        """Add a member, forwarding ``forward_count`` earlier messages; Misc ``chat,count``."""
        misc = f"{misc_item('chat', chat)},{non_negative_int('forward_count', forward_count)}"
        return self._bool("ChatAddUser", {"Phone": phone_field(phone), "Misc": misc}, robot)

    def chat_delete_user(self, phone: str, chat: str, *, robot: str | None = None,
                         **options: Unpack[CallOptions]) -> bool:
        """Remove a member from a chat."""
        fields = {"Phone": phone_field(phone), "Misc": misc_item("chat", chat)}
        return self._bool("ChatDeleteUser", fields, robot)

    # -- users and dialogs --------------------------------------------------------------------

    def block_user(self, phone: str, *, robot: str | None = None,
                   **options: Unpack[CallOptions]) -> bool:
        """Block a user."""
        return self._bool("BlockUser", {"Phone": phone_field(phone)}, robot)

    def unblock_user(self, phone: str, *, robot: str | None = None,
                     **options: Unpack[CallOptions]) -> bool:
        """Unblock a user."""
        return self._bool("UnBlockUser", {"Phone": phone_field(phone)}, robot)

    def mark_read(self, phone: str, *, robot: str | None = None,
                  **options: Unpack[CallOptions]) -> bool:
        """Mark a user's messages as read."""
        return self._bool("MarkRead", {"Phone": phone_field(phone)}, robot)

    def get_user_info(self, phone: str, *, robot: str | None = None,
                      **options: Unpack[CallOptions]) -> Any:
        """A user's information, or None when there is none."""
        return self._objects("GetUserInfo", {"Phone": phone_field(phone)}, robot)

    def get_dialog_list(self, *, robot: str | None = None, **options: Unpack[CallOptions]) -> Any:
        """The dialogs and their messages, or None when there are none."""
        return self._objects("GetDialogList", {}, robot)

    def get_history(self, phone: str, limit: int = 20, offset: int = 0, *,
                    robot: str | None = None,
                    **options: Unpack[CallOptions]) -> list[ChatMessage]:
        """The newest ``limit`` messages of the chat with ``phone``, skipping ``offset`` newer
        ones; oldest first (:class:`~miogram_toolkit.protocol.chat.ChatMessage`), ``[]`` for none.

        Read through ``robot`` (an agent sees only its own chats). The service's own
        implementation reads ``Misc`` as ``limit,offset``, the document as ``offset,limit``:
        the client sends the order of the dialect it has seen (:attr:`dialect`, learnt from
        the getters' answers; one cheap getter asks when it is not known yet), so offset 0
        reads the newest messages against either.
        """
        lim, off = non_negative_int("limit", limit, 1), non_negative_int("offset", offset)
        dialect = self.dialect or self._learn_dialect()
        misc = f"{off},{lim}" if dialect == "document" else f"{lim},{off}"
        found = self._objects("GetHistory", {"Phone": phone_field(phone), "Misc": misc}, robot)
        return reading("GetHistory", lambda: read_chat_messages(found, phone))

    # -- the account's own settings -----------------------------------------------------------

    def get_limits(self, **options: Unpack[CallOptions]) -> Limits:
        """The limits in bytes: ``Message`` (length), ``Photo``/``Video``/``File`` (size).

        Whatever the dialect (the document gives megabytes, the service's implementation
        bytes; see :func:`~miogram_toolkit.protocol.decode.limits`). The permission flags are
        the attributes ``can_get`` and ``is_super``, not entries.
        """
        return self._read("APIGetLimits", {}, lambda answer: limits(answer.get("Result")))

    def get_credits(self, **options: Unpack[CallOptions]) -> dict[str, int | float]:
        """Remaining credit per kind, as integers (the implementation sends strings).

        Values outside a signed 64-bit integer are a BadResponse. The implementation still
        sends a single message at 0 (and goes to -1); the document says 0 or 1 is used up."""
        return self._read("APIGetCredits", {}, lambda answer: table(
            answer.get("Result"), CREDIT_KINDS, "APIGetCredits"))

    def get_ip(self, **options: Unpack[CallOptions]) -> list[str]:
        """The IP addresses the service answers with (``['*']`` = all).

        The document: the allowed addresses. The service's implementation answers the
        caller's own address instead.
        """
        return self._read("APIGetIP", {},
                          lambda answer: split_list(answer.get("Result"), "APIGetIP"))

    def set_ip(self, ips: str | Sequence[str], **options: Unpack[CallOptions]) -> list[str]:
        """Replace the allowed IP addresses (``"*"`` = all); returns the allowed IPs now.

        The answer is the 409 "Allow IP Sets" confirmation; when it carries no IP list, the
        addresses sent are returned.
        """
        items = [ips] if isinstance(ips, str) else list(ips)
        if not items:
            raise ValueError("ips: the list of IP addresses is empty")
        checked = [_ip(f"ips[{i}]", v) for i, v in enumerate(items)]
        if "*" in checked and len(checked) > 1:
            raise ValueError("ips: '*' (all addresses) cannot be combined with others")
        answer = self._request("APISetIP", {"Misc": ",".join(checked)})
        result = answer.get("Result")
        return reading("APISetIP", lambda: split_list(result, "APISetIP")
                       if isinstance(result, str) and result else checked)

    def change_secret(self, **options: Unpack[CallOptions]) -> str:
        """Replace the account's secret; returns the new one, which this client now uses."""
        return self._string("APIChangeSecret")

    def get_robots(self, **options: Unpack[CallOptions]) -> list[str]:
        """The names of the active agents (from ``"A,B"`` or a JSON list)."""
        return self._read("APIGetRobot", {},
                          lambda answer: split_list(answer.get("Result"), "APIGetRobot"))

    def get_active(self, **options: Unpack[CallOptions]) -> bool:
        """Whether the account is active."""
        return self._flag("APIGetActive")

    def get_username(self, **options: Unpack[CallOptions]) -> str:
        """The account's user name."""
        return self._string("APIGetUsername")

    def is_super(self, **options: Unpack[CallOptions]) -> bool:
        """Whether the account has the isSuper permission (control of the agent's account)."""
        return self._flag("APIisSuper")

    def can_get(self, **options: Unpack[CallOptions]) -> bool:
        """Whether the account has the canGet permission (reading data)."""
        return self._flag("APIcanGet")

    def get_ads(self, **options: Unpack[CallOptions]) -> bool:
        """Whether an advertisement is appended to sent messages."""
        return self._flag("APIGetAds")

    def get_report(self, count: int = 100, **options: Unpack[CallOptions]) -> list[dict[str, Any]]:
        """Up to ``count`` (1 to 1000) message-sending report records, as given.

        Either dialect's records (the document-shaped ones, or the implementation's
        ``{Username, DATE, TIME, IP, DATA, Number, Delivered}`` rows; read them with
        :func:`~miogram_toolkit.protocol.report_row.read_report_rows`); ``[]`` when there are
        none (also when the service answers 111 No DATA). The service's implementation lists
        the account's *first* 1000 rows, newest first among them: on a used account no new
        send appears here.
        """
        misc = non_negative_int("count", count, 1, 1000)
        try:
            return self._read("APIGetReport", {"Misc": misc}, lambda answer: report_records(
                answer.get("Result"), "APIGetReport"))
        except NoData:
            return []


def _ip(name: str, value: object) -> str:
    if value == "*":
        return "*"
    if not isinstance(value, str):
        raise ValueError(f"{name}: must be a str, got {type(value).__name__}")
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise ValueError(f"{name}: {value[:45]!r} is not an IP address (or '*')") from None


# Every action method of the catalogue takes the per-call overrides (timeout=, retries=).
for _action in ACTIONS.values():
    setattr(ActionMethods, _action.method, with_options(getattr(ActionMethods, _action.method)))
del _action
