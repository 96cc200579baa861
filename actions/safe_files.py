"""Reading the files a person - or a stranger - hands us, without being hurt by them.

Every file qwen-agent reads from a user-supplied path (scenario.yaml, a policy, a run folder, a
recorded frame, an `expect.template`, a reply for `parse`) comes through here, and each failure is
one `UsageError` line naming the file and what is wrong (exit 2):

- `check_regular`: a regular file within a byte cap, found with `os.stat` - device files
  (`/dev/zero`), named pipes, sockets and folders are refused without ever being opened, since
  opening a FIFO for reading blocks until a writer comes and `/dev/zero` never ends.
- `read_bytes` / `read_text`: the capped bytes of such a file; text must be UTF-8.
- `parse_yaml` / `load_yaml`: YAML through PyYAML's own safe loader (libyaml's where built), with
  the document's node graph measured *before* anything is constructed: its depth, its size with
  every alias expanded (a "billion laughs" document is a few hundred bytes that expand to 10^9
  values), and no node that contains itself. Numbers must fit in 64 bits. Only JSON's kinds of
  value come out (a date stays the text it was written as), so whatever is loaded can go to
  run.json.
- `parse_json`: the same guarantees for JSON (run.json, trajectory lines).
- `open_image`: a PNG, JPEG or WebP within a byte cap and a pixel cap checked from the header,
  before any pixel is decoded.

Byte caps are per kind of file (the `*_BYTES` constants) - generous for real files, far below what
would make a machine swap.
"""

from __future__ import annotations

import io
import json
import math
import os
import stat
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from actions.errors import UsageError

if TYPE_CHECKING:  # Pillow and PyYAML load when a file of theirs is read: `parse` stays fast
    from PIL import Image

KiB, MiB = 1024, 1024 * 1024
SCENARIO_BYTES = 1 * MiB  # a scenario with a thousand steps is ~150 KiB
POLICY_BYTES = 256 * KiB  # the packaged default.yaml is ~5 KiB
RUN_JSON_BYTES = 8 * MiB
TRAJECTORY_BYTES = 256 * MiB  # long thinking: ~30 KiB a step, thousands of steps
REPLY_BYTES = 4 * MiB  # `qwen-agent parse FILE`
IMAGE_BYTES = 64 * MiB
# Our own decompression-bomb limit, for screenshots: an 8K screen is 33 Mpx, three 4K monitors side
# by side 25 Mpx. Checked per call from the image header (see `open_image`): Pillow's global
# `Image.MAX_IMAGE_PIXELS` (89 Mpx) is left as it is for everyone else in the process.
IMAGE_PIXELS = 50_000_000
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP")

# YAML and JSON documents: nesting (a scenario needs ~6 levels), values with every alias expanded,
# and the digits of a number (a 64-bit integer has at most 19).
MAX_DEPTH = 64
MAX_VALUES = 200_000
MAX_NUMBER_CHARS = 40
MAX_INT = 2**63 - 1

_KINDS = (
    (stat.S_ISDIR, "it is a folder, not a file"),
    (stat.S_ISFIFO, "it is a named pipe (FIFO), not a regular file"),
    (stat.S_ISCHR, "it is a character device, not a regular file"),
    (stat.S_ISBLK, "it is a block device, not a regular file"),
    (stat.S_ISSOCK, "it is a socket, not a regular file"),
)


class FileMissing(UsageError):
    """The file does not exist (a verified replay treats a missing recorded frame as unverified)."""


class ImageTruncated(UsageError):
    """An image whose header is fine but whose pixels stop short or are empty (a run killed while
    the frame was being written): a verified replay treats the step as unverified."""


def _size(n: int) -> str:
    return f"{n / MiB:.1f} MiB" if n >= MiB else f"{n / KiB:.0f} KiB" if n >= KiB else f"{n} bytes"


def _fspath(path: Any, what: str) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise UsageError(f"{what}: {path!r} is not a file path")
    text = os.fspath(path)
    if not isinstance(text, str) or not text or "\0" in text:
        raise UsageError(f"{what}: {text!r} is not a file path")
    return text


def check_regular(path: Any, what: str, max_bytes: int) -> os.stat_result:
    """The file's `os.stat`, if it is a regular file of at most `max_bytes`; else UsageError.
    Follows symbolic links (a link to `/dev/zero` is refused as what it points at); opens nothing."""
    name = _fspath(path, what)
    try:
        info = os.stat(name)
    except FileNotFoundError:
        raise FileMissing(f"{what}: cannot read it: no such file") from None
    except OSError as err:
        raise UsageError(f"{what}: cannot read it: {err.strerror or err}") from None
    for test, problem in _KINDS:
        if test(info.st_mode):
            raise UsageError(f"{what}: cannot read it: {problem}")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{what}: cannot read it: not a regular file")
    if info.st_size > max_bytes:
        raise UsageError(f"{what}: too large ({_size(info.st_size)}; the limit is {_size(max_bytes)})")
    return info


def read_bytes(path: Any, what: str, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes` (see `check_regular`)."""
    before = check_regular(path, what, max_bytes)
    # O_NONBLOCK: should the path have been swapped for a FIFO since the stat, opening it still
    # returns at once, and the fstat below refuses it.
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(_fspath(path, what), flags)
    except OSError as err:
        raise UsageError(f"{what}: cannot read it: {err.strerror or err}") from None
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise UsageError(f"{what}: cannot read it: it changed while being opened")
        chunks, total = [], 0
        while total <= max_bytes:  # a file growing while read is cut at the cap, then refused
            chunk = os.read(fd, min(MiB, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as err:
        raise UsageError(f"{what}: cannot read it: {err.strerror or err}") from None
    finally:
        os.close(fd)
    if total > max_bytes:
        raise UsageError(f"{what}: too large (over {_size(max_bytes)}, the limit)")
    return b"".join(chunks)


def read_text(path: Any, what: str, max_bytes: int) -> str:
    """The UTF-8 text of a regular file of at most `max_bytes`."""
    data = read_bytes(path, what, max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UsageError(f"{what}: not UTF-8 text (byte {err.start})") from None


# --- YAML ---------------------------------------------------------------------------------------


def _loader_class() -> type:
    import yaml
    from yaml.constructor import ConstructorError

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster where built

    class Loader(base):  # type: ignore[misc, valid-type]
        """PyYAML's safe loader, with numbers capped and only JSON's kinds of value."""

        _depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            # Only the pure-Python composer calls this (libyaml's own stops at 1,000 levels): stop
            # before Python's recursion limit; `_measure` applies the real limit.
            self._depth += 1
            try:
                if self._depth > 4 * MAX_DEPTH:
                    raise ConstructorError(None, None, f"nested deeper than {MAX_DEPTH} levels",
                                           self.peek_event().start_mark)
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

        def construct_yaml_int(self, node: Any) -> int:
            _number_text(self, node)
            value = super().construct_yaml_int(node)
            if abs(value) > MAX_INT:
                raise ConstructorError(None, None, "an integer beyond 64 bits", node.start_mark)
            return value

        def construct_yaml_float(self, node: Any) -> float:
            text = _number_text(self, node)
            value = super().construct_yaml_float(node)
            if math.isinf(value) and "inf" not in text.lower():  # 1e400, not an explicit .inf
                raise ConstructorError(None, None, f"the number {text} is out of range", node.start_mark)
            return value

        def construct_refused(self, node: Any) -> None:
            raise ConstructorError(None, None, f"values tagged {node.tag} are not allowed here",
                                   node.start_mark)

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    Loader.add_constructor("tag:yaml.org,2002:float", Loader.construct_yaml_float)
    # A date stays the text it was written as (`text: 2024-05-01` is something to type).
    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_str)
    for tag in ("binary", "set", "omap", "pairs"):  # not JSON: could not be written to run.json
        Loader.add_constructor(f"tag:yaml.org,2002:{tag}", Loader.construct_refused)
    return Loader


def _number_text(loader: Any, node: Any) -> str:
    from yaml.constructor import ConstructorError

    text = str(loader.construct_scalar(node))
    if len(text) > MAX_NUMBER_CHARS:
        raise ConstructorError(None, None, f"a number of {len(text)} characters", node.start_mark)
    return text


_LOADER: type | None = None


def _children(node: Any) -> list[Any]:
    from yaml.nodes import MappingNode, SequenceNode

    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _measure(root: Any) -> str | None:
    """What is wrong with the composed document's shape, or None. Walks each node once (aliases
    share their node), so a document that would expand to billions of values is measured in
    microseconds; `size` and `height` are of the document with every alias expanded."""
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        kids = _children(node)
        if finished:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            height[key] = 1 + max((height[id(k)] for k in kids), default=0)
            if height[key] > MAX_DEPTH:
                return f"nested deeper than {MAX_DEPTH} levels"
            if size[key] > MAX_VALUES:
                return f"more than {MAX_VALUES:,} values once its aliases are expanded"
            continue
        if key in size:
            continue
        if key in on_path:
            return "an alias refers to a value that contains it"
        on_path.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in kids)
    return None


def parse_yaml(text: str, where: str) -> Any:
    """The YAML document in `text` as plain data (dict, list, str, int, float, bool, None).
    UsageError "<where>: invalid YAML at line L, column C: <problem>" for anything else."""
    import yaml

    global _LOADER
    if _LOADER is None:
        _LOADER = _loader_class()
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        problem = _measure(node)
        if problem:
            raise UsageError(f"{where}: refused YAML: {problem}")
        return loader.construct_document(node)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or getattr(err, "context", None) or "not valid YAML"
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise UsageError(f"{where}: invalid YAML{at}: {' '.join(str(problem).split())}") from None
    finally:
        loader.dispose()


def load_yaml(path: Any, what: str, max_bytes: int) -> Any:
    """A YAML file (see `read_text` and `parse_yaml`)."""
    return parse_yaml(read_text(path, what, max_bytes), what)


# --- JSON ---------------------------------------------------------------------------------------


def _json_problem(data: Any) -> str | None:
    """Depth and size of decoded JSON (iterative: a deep document must not exhaust the stack)."""
    count = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            return f"nested deeper than {MAX_DEPTH} levels"
        if count > 10 * MAX_VALUES:  # JSON has no aliases: its size is bounded by its bytes
            return f"more than {10 * MAX_VALUES:,} values"
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return None


def parse_json(text: str, where: str) -> Any:
    """The JSON document in `text`; UsageError, one line, for invalid, too deep or too large."""
    try:
        data = json.loads(text)
    except RecursionError:  # the C decoder's own guard, at ~1,000 levels
        raise UsageError(f"{where}: refused JSON: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as err:  # JSONDecodeError, and integers beyond Python's 4,300 digits
        raise UsageError(f"{where}: invalid JSON: {' '.join(str(err).split())}") from None
    problem = _json_problem(data)
    if problem:
        raise UsageError(f"{where}: refused JSON: {problem}")
    return data


def load_json(path: Any, what: str, max_bytes: int) -> Any:
    """A JSON file (see `read_text` and `parse_json`)."""
    return parse_json(read_text(path, what, max_bytes), what)


# --- images -------------------------------------------------------------------------------------


def open_image(path: Any, what: str, *, max_bytes: int = IMAGE_BYTES, max_pixels: int = IMAGE_PIXELS,
               formats: Iterable[str] = IMAGE_FORMATS) -> Image.Image:
    """The image decoded, as RGB. Refused before decoding: anything but a regular file within
    `max_bytes`, a format outside `formats`, more than `max_pixels` in its header.

    Pillow guards against decompression bombs with one process-wide limit (`MAX_IMAGE_PIXELS`,
    89 Mpx: a warning above it, an error above twice it). Changing it would surprise anyone using
    Pillow beside us, so the screenshot-sized cap here is checked per call instead, from the
    header `Image.open` reads before any pixel; Pillow's own warning is made an error meanwhile
    (else it would print an extra line for images between 89 and 178 Mpx)."""
    from PIL import Image, UnidentifiedImageError

    data = read_bytes(path, what, max_bytes)
    if not data:
        raise ImageTruncated(f"{what}: the image file is empty")
    kinds = tuple(formats)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(kinds))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UsageError(f"{what}: refused image: more pixels than Pillow allows "
                             "(a decompression bomb?)") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise UsageError(f"{what}: not a {', '.join(kinds[:-1])} or {kinds[-1]} image") from None
    width, height = image.size
    if width * height > max_pixels:
        raise UsageError(f"{what}: refused image: {width}x{height} is over {max_pixels:,} pixels")
    if width < 1 or height < 1:
        raise UsageError(f"{what}: refused image: {width}x{height} has no pixels")
    try:
        image.load()
        return image.convert("RGB")
    except Exception as err:  # noqa: BLE001 - Pillow's decoders raise many kinds for a bad file
        if isinstance(err, MemoryError):
            raise UsageError(f"{what}: refused image: not enough memory to decode it") from None
        raise ImageTruncated(f"{what}: the image cannot be decoded ({' '.join(str(err).split())[:80]})") from None

