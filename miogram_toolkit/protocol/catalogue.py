"""The MioGram web service v1.2 as data: one entry for each of its 43 actions.

Everything that needs to know what an action takes or answers reads this table: the client
(request building, local validation, result decoding), the simulator (required fields, limits,
credit, permissions) and the docs. Nothing restates it.

Example:
    >>> from miogram_toolkit.protocol.catalogue import ACTIONS, Phones
    >>> ACTIONS["SendLocation"].misc
    ('latitude', 'longitude')
    >>> ACTIONS["SendMessageMass"].phones is Phones.MANY
    True

Readings of the document that are ours, each also listed in the README:

* ``APlisSuper`` is read as ``APIisSuper`` (capital I); the document's spelling is kept in
  :attr:`Action.spelled`. The permission is spelled both ``isSuper`` and ``isSupper``; we use
  ``isSuper``.
* ``CreateGroupChat`` takes several numbers although its name does not end in ``Mass``: the
  document's own table for it says "number(s)", so it is the one exception to the Mass rule.
* The document does not say which credit kind each send uses. We read: text sends use
  ``Message``; photos ``Photo``; videos ``Video``; text files, audio, documents and other files
  ``File``; locations and contacts ``Other``. Data size limits follow the same kinds (``Photo``,
  ``Video``, ``File``; ``SetProfilePhoto`` is checked against ``Photo``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Final

__all__ = [
    "ACTIONS",
    "CREDIT_KINDS",
    "FIELDS",
    "LIMIT_KINDS",
    "Action",
    "Permission",
    "Phones",
    "ResultKind",
    "action_for_method",
    "markdown_table",
]

#: The seven request fields, spelled exactly as the service wants them (case-sensitive).
FIELDS: Final = ("Secret", "Func", "Misc", "Message", "Phone", "Data", "Robot")

#: Keys of ``APIGetCredits``'s map.
CREDIT_KINDS: Final = ("Message", "Photo", "Video", "File", "Other")

#: Keys of ``APIGetLimits``'s map (``canGet``/``isSuper`` are the permission flags).
LIMIT_KINDS: Final = ("Message", "Photo", "Video", "File", "canGet", "isSuper")


class Phones(Enum):
    """How many numbers an action's ``Phone`` field takes."""

    NONE = 0
    ONE = 1
    MANY = 2


class Permission(Enum):
    """The permission level an action needs (read with ``APIGetLimits``)."""

    NONE = "N/A"
    IS_SUPER = "isSuper"
    CAN_GET = "canGet"


class ResultKind(Enum):
    """What ``Result`` holds on success.

    BOOL: true/false with Status success/fail. NUMBER_MAP: an object keyed by each number sent,
    true when delivered, Status checking. TABLE: an object of named numbers (limits, credits),
    Status checking. STRING: a string. FLAG: the string "1" or "0". OBJECTS: objects, or false
    when there are none. REPORT: an array of report records.
    """

    BOOL = "bool"
    NUMBER_MAP = "number_map"
    TABLE = "table"
    STRING = "string"
    FLAG = "flag"
    OBJECTS = "objects"
    REPORT = "report"


@dataclass(frozen=True)
class Action:
    """One action of the service.

    Attributes:
        func: the ``Func`` value, exactly as sent.
        method: the snake_case name of the client method for it.
        fields: the request fields it uses besides ``Secret``, ``Func`` and ``Robot``; each is
            required (an empty one is answered with 330 No Input).
        phones: how many numbers ``Phone`` takes.
        misc: names of the comma-separated parts of ``Misc``, in order; empty when unused.
        misc_variadic: ``Misc`` is a free comma-separated list (``APISetIP``'s IPs).
        result: what ``Result`` holds on success.
        ok_status: the ``Status`` values of a successful answer (None is JSON null).
        permission: the permission the action needs.
        errors: the codes the document lists for it, besides the public errors.
        credit: the credit kind a delivered send uses, or None when it uses none.
        limit: the ``APIGetLimits`` key that bounds its ``Message`` (characters) or ``Data`` (MB).
        whatsapp: sent over WhatsApp (beta: always answers true).
        spelled: the document's spelling of ``func`` where it differs.
        summary: one line on what it does.
    """

    func: str
    method: str
    fields: tuple[str, ...]
    phones: Phones
    misc: tuple[str, ...]
    result: ResultKind
    ok_status: tuple[str | None, ...]
    permission: Permission
    errors: tuple[int, ...]
    summary: str
    misc_variadic: bool = False
    credit: str | None = None
    limit: str | None = None
    whatsapp: bool = False
    spelled: str | None = None

    @property
    def is_mass(self) -> bool:
        """True for the actions that answer a per-number map."""
        return self.result is ResultKind.NUMBER_MAP

    @property
    def is_send(self) -> bool:
        """True for actions that deliver something to a number and may use credit."""
        return self.credit is not None

    @property
    def read_only(self) -> bool:
        """True when repeating the request changes nothing (safe to retry on any failure)."""
        return self.func.startswith(("APIGet", "Get")) or self.func in _READ_ONLY_EXTRA


_READ_ONLY_EXTRA = frozenset({"ChatInfo", "APIisSuper", "APIcanGet"})

_BOOL = (ResultKind.BOOL, ("success", "fail"))
_MAP = (ResultKind.NUMBER_MAP, ("checking",))
_OBJECTS = (ResultKind.OBJECTS, ("success", "fail"))
_NULL = (None, "NULL")


def _a(func: str, method: str, fields: str, phones: Phones, misc: str, kind: tuple,
       permission: Permission, errors: tuple[int, ...], summary: str, **extra: object) -> Action:
    result, ok_status = kind
    return Action(
        func=func,
        method=method,
        fields=tuple(fields.split()),
        phones=phones,
        misc=tuple(misc.split()),
        result=result,
        ok_status=ok_status,
        permission=permission,
        errors=errors,
        summary=summary,
        **extra,  # type: ignore[arg-type]
    )


_N, _1, _M = Phones.NONE, Phones.ONE, Phones.MANY
_SUPER, _GET, _FREE = Permission.IS_SUPER, Permission.CAN_GET, Permission.NONE
_FILE_ERRORS = (303, 305)
_TEXT_ERRORS = (304, 305)

_TABLE: tuple[Action, ...] = (
    # Agent presence and the agent's own account.
    _a("SetStatusOnline", "set_status_online", "Misc", _N, "state", _BOOL, _SUPER, (309,),
       "Show the agent as Online or Offline."),
    _a("SendTyping", "send_typing", "Phone", _1, "", _BOOL, _SUPER, (309,),
       "Show 'typing…' to one user."),
    _a("SetProfileName", "set_profile_name", "Misc", _N, "first_name last_name", _BOOL, _SUPER,
       (309,), "Set the agent's first and last name."),
    _a("SetUsername", "set_username", "Misc", _N, "username", _BOOL, _SUPER, (309,),
       "Create or change the agent's username."),
    _a("SetProfilePhoto", "set_profile_photo", "Data", _N, "", _BOOL, _SUPER, (309,),
       "Set the agent's profile photo.", limit="Photo"),
    # Text messages.
    _a("SendMessage", "send_message", "Phone Message", _1, "", _BOOL, _FREE, _TEXT_ERRORS,
       "Send a text message to one number.", credit="Message", limit="Message"),
    _a("SendMessageMass", "send_message_mass", "Phone Message", _M, "", _MAP, _FREE,
       _TEXT_ERRORS, "Send a text message to several numbers.", credit="Message",
       limit="Message"),
    _a("SendMessageWhatsApp", "send_message_whatsapp", "Phone Message", _1, "", _BOOL, _FREE,
       _TEXT_ERRORS, "Send a text message to one number over WhatsApp (beta).",
       credit="Message", limit="Message", whatsapp=True),
    _a("SendMessageWhatsAppMass", "send_message_whatsapp_mass", "Phone Message", _M, "", _MAP,
       _FREE, _TEXT_ERRORS, "Send a text message to several numbers over WhatsApp (beta).",
       credit="Message", limit="Message", whatsapp=True),
    # Files and media: Misc is the extension, Data the base64 bytes.
    _a("SendPhoto", "send_photo", "Phone Misc Data", _1, "extension", _BOOL, _FREE,
       _FILE_ERRORS, "Send a photo to one number.", credit="Photo", limit="Photo"),
    _a("SendVideo", "send_video", "Phone Misc Data", _1, "extension", _BOOL, _FREE,
       _FILE_ERRORS, "Send a video to one number.", credit="Video", limit="Video"),
    _a("SendAudio", "send_audio", "Phone Misc Data", _1, "extension", _BOOL, _FREE,
       _FILE_ERRORS, "Send an audio file to one number.", credit="File", limit="File"),
    _a("SendText", "send_text", "Phone Misc Data", _1, "extension", _BOOL, _FREE,
       _FILE_ERRORS, "Send a text file to one number.", credit="File", limit="File"),
    _a("SendFile", "send_file", "Phone Misc Data", _1, "extension", _BOOL, _FREE,
       _FILE_ERRORS, "Send any kind of file to one number.", credit="File", limit="File"),
    _a("SendDocument", "send_document", "Phone Misc Data", _1, "extension", _BOOL, _FREE,
       _FILE_ERRORS, "Send a document to one number.", credit="File", limit="File"),
    _a("SendPhotoMass", "send_photo_mass", "Phone Misc Data", _M, "extension", _MAP, _FREE,
       _FILE_ERRORS, "Send a photo to several numbers.", credit="Photo", limit="Photo"),
    _a("SendVideoMass", "send_video_mass", "Phone Misc Data", _M, "extension", _MAP, _FREE,
       _FILE_ERRORS, "Send a video to several numbers.", credit="Video", limit="Video"),
    _a("SendFileMass", "send_file_mass", "Phone Misc Data", _M, "extension", _MAP, _FREE,
       _FILE_ERRORS, "Send a file to several numbers.", credit="File", limit="File"),
    # Location and contact.
    _a("SendLocation", "send_location", "Phone Misc", _1, "latitude longitude", _BOOL, _FREE,
       (305,), "Send a map location to one number.", credit="Other"),
    _a("SendContact", "send_contact", "Phone Misc", _1, "name phone_number", _BOOL, _FREE,
       (305,), "Send a contact card to one number.", credit="Other"),
    # Groups and chats.
    _a("CreateGroupChat", "create_group_chat", "Phone Misc", _M, "group_name", _BOOL, _SUPER,
       (309,), "Create a group with these members."),
    _a("ChatInfo", "chat_info", "Misc", _N, "chat_name", _OBJECTS, _GET, (309,),
       "Read a chat's or group's information."),
    _a("RenameChat", "rename_chat", "Misc", _N, "chat_name new_name", _BOOL, _SUPER, (309,),
       "Rename a chat or group."),
    _a("ChatAddUser", "chat_add_user", "Phone Misc", _1, "chat_name forward_count", _BOOL,
       _SUPER, (309,), "Add a member, forwarding that many earlier messages to them."),
    _a("ChatDeleteUser", "chat_delete_user", "Phone Misc", _1, "chat_name", _BOOL, _SUPER,
       (309,), "Remove a member from a chat or group."),
    # Users and dialogs.
    _a("BlockUser", "block_user", "Phone", _1, "", _BOOL, _SUPER, (309,), "Block a user."),
    _a("UnBlockUser", "unblock_user", "Phone", _1, "", _BOOL, _SUPER, (309,),
       "Unblock a user."),
    _a("MarkRead", "mark_read", "Phone", _1, "", _BOOL, _SUPER, (309,),
       "Mark a user's messages as read."),
    _a("GetUserInfo", "get_user_info", "Phone", _1, "", _OBJECTS, _GET, (309,),
       "Read a user's information."),
    _a("GetDialogList", "get_dialog_list", "", _N, "", _OBJECTS, _GET, (309,),
       "Read the dialogs and their messages."),
    _a("GetHistory", "get_history", "Phone Misc", _1, "offset limit", _OBJECTS, _GET, (309,),
       "Read a user's messages, from offset, at most limit of them."),
    # The account's own settings.
    _a("APIGetLimits", "get_limits", "", _N, "", (ResultKind.TABLE, ("checking",)), _FREE, (),
       "Read the message length and file size limits and the permission flags."),
    _a("APIGetCredits", "get_credits", "", _N, "", (ResultKind.TABLE, ("checking",)), _FREE,
       (), "Read the remaining credit of each kind."),
    _a("APIGetIP", "get_ip", "", _N, "", (ResultKind.STRING, _NULL), _FREE, (),
       "Read the IP addresses allowed to call the service ('*' = all)."),
    _a("APISetIP", "set_ip", "Misc", _N, "ips", (ResultKind.STRING, ("success",)), _FREE,
       (409, 330), "Replace the allowed IP addresses ('*' = all).", misc_variadic=True),
    _a("APIChangeSecret", "change_secret", "", _N, "", (ResultKind.STRING, ("success",)),
       _FREE, (407,), "Replace the secret; answers the new one."),
    _a("APIGetRobot", "get_robots", "", _N, "", (ResultKind.STRING, _NULL), _FREE, (),
       "Read the names of the active agents."),
    _a("APIGetActive", "get_active", "", _N, "", (ResultKind.FLAG, _NULL), _FREE, (),
       "Read whether the account is active."),
    _a("APIGetUsername", "get_username", "", _N, "", (ResultKind.STRING, _NULL), _FREE, (),
       "Read the account's user name."),
    _a("APIisSuper", "is_super", "", _N, "", (ResultKind.FLAG, _NULL), _FREE, (),
       "Read whether the account has the isSuper permission.", spelled="APlisSuper"),
    _a("APIcanGet", "can_get", "", _N, "", (ResultKind.FLAG, _NULL), _FREE, (),
       "Read whether the account has the canGet permission."),
    _a("APIGetAds", "get_ads", "", _N, "", (ResultKind.BOOL, _NULL), _FREE, (),
       "Read whether an advertisement is appended to sent messages."),
    _a("APIGetReport", "get_report", "Misc", _N, "count", (ResultKind.REPORT, _NULL), _FREE,
       (), "Read the newest message-sending report records (1 to 999)."),
)

#: Func name -> its entry, in the document's order. Read-only.
ACTIONS: Final = MappingProxyType({action.func: action for action in _TABLE})

_BY_METHOD = {action.method: action for action in _TABLE}


def action_for_method(method: str) -> Action:
    """Return the action whose client method is ``method``.

    Raises:
        KeyError: no action has that method name.
    """
    return _BY_METHOD[method]


def markdown_table() -> str:
    """The catalogue as a Markdown table, one row an action (the README's action list).

    Example:
        >>> markdown_table().splitlines()[2].startswith("| `SetStatusOnline` |")
        True
    """
    rows = ["| Func | client method | fields | Phone | Misc | result | permission | errors |",
            "|---|---|---|---|---|---|---|---|"]
    phones = {Phones.NONE: "–", Phones.ONE: "one", Phones.MANY: "many"}
    for a in _TABLE:
        misc = ",".join(a.misc) + ("…" if a.misc_variadic else "")
        rows.append(
            f"| `{a.func}` | `{a.method}` | {' '.join(a.fields) or '–'} | {phones[a.phones]} "
            f"| {misc or '–'} | {a.result.value} | {a.permission.value} "
            f"| {', '.join(map(str, a.errors)) or '–'} |"
        )
    return "\n".join(rows)
