"""Actions: the schema, one frozen type per kind, the reply parser and the grid conversion."""

from actions.coords import Pixel, Size, grid_to_pixels, pixels_to_grid
from actions.errors import ActionFormatError, QwenAgentError, UsageError
from actions.parse import ParsedReply, parse_reply, split_thinking, validate_action
from actions.schema import action_kinds, action_schema
from actions.types import (
    ACTION_TYPES,
    POINTER_KINDS,
    Action,
    AskUser,
    Back,
    Done,
    DoubleTap,
    Home,
    Key,
    LongPress,
    MiddleClick,
    MouseMove,
    OpenApp,
    RightClick,
    Scroll,
    Swipe,
    Tap,
    TripleClick,
    Type,
    Wait,
    from_dict,
)

__all__ = [
    "ACTION_TYPES", "POINTER_KINDS", "Action", "ActionFormatError", "AskUser", "Back",
    "Done", "DoubleTap", "Home", "Key", "LongPress", "MiddleClick", "MouseMove", "OpenApp",
    "ParsedReply", "Pixel", "QwenAgentError", "RightClick", "Scroll", "Size", "Swipe", "Tap",
    "TripleClick", "Type", "UsageError", "Wait", "action_kinds",
    "action_schema", "from_dict", "grid_to_pixels", "parse_reply", "pixels_to_grid",
    "split_thinking", "validate_action",
]
