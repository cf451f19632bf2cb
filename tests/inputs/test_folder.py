"""Folder sources: what is delivered, what waits for its rename, and versions of a file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.inputs import FolderInput, folder


def names(source: FolderInput) -> list[str]:
    return [Path(delivery.uri).name for delivery in source.poll()]


@pytest.mark.parametrize("glob", [False, True])
def test_folder_input_skips_names_still_being_written_and_the_output(
    tmp_path: Path, glob: bool
) -> None:
    inputs = tmp_path / "in"
    (inputs / "sub").mkdir(parents=True)
    (inputs / ".sync").mkdir()
    (inputs / "out").mkdir()
    for name in ("a.xml", "sub/b.txt", ".hidden", "c.part", "d.tmp", "e.filepart", ".sync/f.txt",
                 "out/stories.avro"):  # fmt: skip
        (inputs / name).write_text("x")
    spec = str(inputs / "**") if glob else str(inputs)
    source = FolderInput(spec, output=str(inputs / "out"))
    assert names(source) == ["a.xml", "b.txt"]
    (inputs / "c.part").rename(inputs / "c.xml")
    assert names(source) == ["c.xml"]  # what is new since the last poll


def test_folder_input_keys_a_changed_file_as_a_new_version(tmp_path: Path) -> None:
    story = tmp_path / "a.txt"
    story.write_text("first")
    source = FolderInput(str(tmp_path), output=str(tmp_path / "out"))
    (before,) = source.poll()
    story.write_text("second version")
    os.utime(story, (1_800_000_000, 1_800_000_000))
    (after,) = source.poll()  # the folder is recent: listed again
    assert before.uri == after.uri == str(story)
    assert before.key != after.key
    assert after.key == f"file:{story}|14|1800000000.000000"


def test_folder_input_relists_an_old_folder_only_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.txt").write_text("x")
    os.utime(tmp_path, (1_700_000_000, 1_700_000_000))  # an old, settled folder
    source = FolderInput(str(tmp_path), output=str(tmp_path / "out"))
    assert names(source) == ["a.txt"]
    listed = []
    real_list = folder._list
    monkeypatch.setattr(folder, "_list", lambda *args: listed.append(args) or real_list(*args))
    assert names(source) == [] and listed == []  # unchanged: not listed again
    (tmp_path / "b.txt").write_text("x")  # the folder's time changes
    assert names(source) == ["b.txt"] and len(listed) == 1
    os.utime(tmp_path, (1_700_000_000, 1_700_000_000))
    assert source.poll() == []  # listed once more, at its settled time: nothing new
    (tmp_path / "a.txt").write_text("rewritten in place")  # the folder's time stays
    assert source.poll() == []  # not seen yet...
    monkeypatch.setattr(folder, "FULL_LOOK_SECONDS", 0.0)
    (changed,) = source.poll()  # ...until the periodic full look
    assert changed.key.split("|")[1] == "18"


def test_folder_input_refuses_a_path_that_is_not_there(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file or folder"):
        FolderInput(str(tmp_path / "nowhere"), output=str(tmp_path))
