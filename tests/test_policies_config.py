"""Loading policies: packaged defaults, user files, overrides, and one-line errors."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from actions import UsageError, action_kinds
from agent.engine.outcomes import exit_code
from policies import PolicyConfig, load_policy
from tests.hostile import billion_laughs


def write(tmp_path, text: str):
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def usage_error(path) -> str:
    with pytest.raises(UsageError) as err:
        load_policy(path)
    message = str(err.value)
    assert "\n" not in message and str(path) in message
    assert exit_code(err.value) == 2
    return message


def test_defaults_come_from_the_packaged_yaml():
    packaged = yaml.safe_load(
        resources.files("policies").joinpath("default.yaml").read_text(encoding="utf-8"))
    config = load_policy()
    assert config == PolicyConfig.default()
    for key, value in packaged.items():
        got = getattr(config, key)
        assert (list(got) if isinstance(got, tuple) else got) == value, key
    assert (config.max_steps, config.min_confidence, config.max_retries) == (20, 0.6, 2)
    assert (config.loop_repeats, config.dry_run, config.allow_actions) == (3, False, None)


def test_default_yaml_documents_every_key():
    text = resources.files("policies").joinpath("default.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    for key in yaml.safe_load(text):
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        assert lines[at - 1].startswith("#"), f"{key} has no comment above it"


def test_default_keywords_cover_english_and_chinese_topics():
    keywords = set(load_policy().sensitive_keywords)
    for word in ("pay", "transfer", "buy", "purchase", "delete", "send", "uninstall", "password",
                 "pin", "factory reset", "支付", "付款", "转账", "删除", "发送", "卸载", "密码",
                 "购买", "恢复出厂"):
        assert word in keywords, word


def test_empty_user_file_keeps_defaults(tmp_path):
    assert load_policy(write(tmp_path, "# nothing\n")) == load_policy()


def test_user_file_overrides_a_subset(tmp_path):
    config = load_policy(write(tmp_path, """
max_steps: 5
min_confidence: 0.8
deny_actions: [open_app]
allow_actions: [tap, scroll, done]
kill_file: /tmp/STOP
"""))
    assert config.max_steps == 5 and config.min_confidence == 0.8
    assert config.deny_actions == ("open_app",) and config.allow_actions == ("tap", "scroll", "done")
    assert config.kill_file == "/tmp/STOP"
    assert config.max_retries == load_policy().max_retries  # untouched keys keep defaults


def test_sensitive_keywords_extra_extends_the_defaults(tmp_path):
    config = load_policy(write(tmp_path, "sensitive_keywords_extra: [launch, 发射, pay]\n"))
    default = load_policy().sensitive_keywords
    assert config.sensitive_keywords[: len(default)] == default
    assert config.sensitive_keywords[len(default):] == ("launch", "发射")  # no duplicate "pay"


def test_sensitive_keywords_replaces_and_extra_extends_the_replacement(tmp_path):
    config = load_policy(write(tmp_path, "sensitive_keywords: [a]\n"
                                         "sensitive_keywords_extra: [b]\n"))
    assert config.sensitive_keywords == ("a", "b")


def test_unknown_key_is_a_usage_error(tmp_path):
    path = write(tmp_path, "max_step: 5\n")
    message = usage_error(path)
    assert "unknown key 'max_step'" in message


@pytest.mark.parametrize(("text", "key", "words"), [
    ("max_steps: many\n", "max_steps", "integer"),
    ("max_steps: 0\n", "max_steps", ">= 1"),
    ("max_steps: true\n", "max_steps", "integer"),
    ("max_seconds: -1\n", "max_seconds", "> 0"),
    ("min_confidence: 1.5\n", "min_confidence", "between 0 and 1"),
    ("max_retries: -1\n", "max_retries", ">= 0"),
    ("dry_run: maybe\n", "dry_run", "true or false"),
    ("deny_actions: tap\n", "deny_actions", "list"),
    ("sensitive_keywords: [pay, 3]\n", "sensitive_keywords", "non-empty strings"),
    ("sensitive_keywords_extra: [\"\"]\n", "sensitive_keywords_extra", "non-empty strings"),
    ("kill_file: 42\n", "kill_file", "path"),
    ("loop_repeats: 0\n", "loop_repeats", ">= 1"),
])
def test_bad_values_are_usage_errors_naming_the_key(tmp_path, text, key, words):
    message = usage_error(write(tmp_path, text))
    assert f"key {key!r}" in message and words in message


@pytest.mark.parametrize("key", ["allow_actions", "deny_actions", "confirm_actions"])
def test_unknown_action_kind_is_a_usage_error(tmp_path, key):
    message = usage_error(write(tmp_path, f"{key}: [tap, click]\n"))
    assert "unknown action kind 'click'" in message and key in message
    assert all(kind in message for kind in action_kinds())  # tells what is known


def test_broken_yaml_is_a_usage_error(tmp_path):
    message = usage_error(write(tmp_path, "max_steps: [1, 2\nmin_confidence: 0.5\n"))
    assert "invalid YAML at line" in message


def test_not_a_mapping_is_a_usage_error(tmp_path):
    assert "mapping" in usage_error(write(tmp_path, "- max_steps\n"))


def test_missing_file_is_a_usage_error(tmp_path):
    assert "cannot read" in usage_error(tmp_path / "nope.yaml")


def test_a_directory_is_a_usage_error(tmp_path):
    assert "cannot read" in usage_error(tmp_path)


def test_binary_file_is_a_usage_error(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_bytes(b"\xff\xfe\x00max_steps")
    assert "UTF-8" in usage_error(path)


def test_with_overrides_ignores_none_and_validates():
    base = load_policy()
    assert base.with_overrides(max_steps=None, dry_run=None) == base
    changed = base.with_overrides(max_steps=7, min_confidence=0.25, dry_run=True)
    assert (changed.max_steps, changed.min_confidence, changed.dry_run) == (7, 0.25, True)
    assert base.max_steps == 20  # the original is unchanged
    with pytest.raises(UsageError, match=r"^--min-confidence: must be between 0 and 1, got 2.0$"):
        base.with_overrides(min_confidence=2.0)
    with pytest.raises(UsageError, match="unknown policy setting 'max_stepz'"):
        base.with_overrides(max_stepz=3)
    with pytest.raises(UsageError, match="unknown action kind"):
        base.with_overrides(deny_actions=["fly"])


def test_with_overrides_can_extend_keywords():
    config = load_policy().with_overrides(sensitive_keywords_extra=["launch"])
    assert config.sensitive_keywords[-1] == "launch"
    with pytest.raises(UsageError, match="^--sensitive-keywords-extra: must be a list"):
        load_policy().with_overrides(sensitive_keywords_extra="launch")


def test_direct_construction_is_validated_too():
    values = load_policy().to_dict()
    values["max_steps"] = 0
    with pytest.raises(UsageError, match="policy: key 'max_steps'"):
        PolicyConfig(**values)
    values["max_steps"] = 4
    assert PolicyConfig(**values).deny_actions == ()  # lists become tuples


def test_to_dict_round_trips_through_yaml(tmp_path):
    config = load_policy().with_overrides(deny_actions=["type"], max_steps=9)
    assert load_policy(write(tmp_path, yaml.safe_dump(config.to_dict()))) == config


@pytest.mark.parametrize(("text", "words"), [
    ("max_steps: " + "9" * 400 + "\n", "a number of 400 characters"),  # refused, not stored
    ("max_steps: " + "9" * 5000 + "\n", "a number of 5000 characters"),  # past int()'s own limit
    ("max_steps: 10001\n", "key 'max_steps': must be <= 10,000"),
    ("max_retries: 101\n", "key 'max_retries': must be <= 100"),
    ("loop_repeats: 9223372036854775808\n", "beyond 64 bits"),
    ("max_seconds: .inf\n", "key 'max_seconds': must be <= 604,800"),
    ("max_seconds: 604801\n", "key 'max_seconds': must be <= 604,800"),
    ("sensitive_keywords: " + "[" * 100 + "]" * 100 + "\n", "deeper than 64"),
    (billion_laughs("sensitive_keywords_extra"), "aliases are expanded"),
    ("sensitive_keywords_extra: [" + "k" * 101 + "]\n", "at most 100 characters"),
    ("deny_actions: [" + ", ".join(["tap"] * 1001) + "]\n", "at most 1,000"),
    ('kill_file: "a\\0b"\n', "key 'kill_file'"),
    ("# " + "x" * 300_000 + "\n", "too large"),
])
def test_hostile_values_are_refused_in_one_line(tmp_path, text, words):
    assert words in usage_error(write(tmp_path, text))


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "socket"])
def test_special_files_are_refused_without_reading(tmp_path, kind):
    import os
    import socket

    path = tmp_path / "policy.yaml"
    if kind == "fifo":
        os.mkfifo(path)  # opening it for reading would block forever
    elif kind == "dev_zero":
        path.symlink_to("/dev/zero")  # reading it would never end
    else:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    assert "not a regular file" in usage_error(path)


def test_flags_are_range_checked_too():
    with pytest.raises(UsageError, match=r"^--max-steps: must be <= 10,000, got 9999"):
        load_policy().with_overrides(max_steps=int("9" * 400))
    with pytest.raises(UsageError, match="^--max-seconds: must be <= 604,800"):
        load_policy().with_overrides(max_seconds=float("1e999"))
