"""Notes in scripts other than Latin: each talk keeps an id made of its own title's words
(they were all 'section', 'section-2', or the one Latin word of the title; the speaker after
the dash is a speaker, not part of it), and Latin titles get the ids they always had."""

from __future__ import annotations

from pathlib import Path

from conftest import write
from recapqa.ingest import load_corpus
from recapqa.ingest.headings import slugify

NOTES = """# PyCon JP 2024 メモ

## 型ヒントの実践 - 山田太郎

- 型ヒントを導入してバグが30%減った。

## Асинхронный Python - Иван Петров

Иван рассказал, что их сервис обрабатывает 200 тысяч запросов в секунду.

## البيانات الضخمة - أحمد علي

قال أحمد إن الشركة تعالج 5 تيرابايت من البيانات يوميًا.

## 한국어 발표 - 김민수

서비스는 하루에 천만 건의 요청을 처리합니다.
"""


def test_talks_in_other_scripts_get_ids_of_their_own_titles(tmp_path: Path) -> None:
    write(tmp_path / "notes.md", NOTES)
    talks = load_corpus(tmp_path).talks
    ids = [t.talk_id for t in talks]
    assert ids == [
        "型ヒントの実践",
        "асинхронный-python",
        "البيانات-الضخمة-أحمد-علي",  # no speaker is recognised in Arabic script: the name stays in the title
        "한국어-발표",
    ], ids
    assert [[s.name for s in t.speakers] for t in talks] == [["山田太郎"], ["Иван Петров"], [], ["김민수"]]


def test_latin_titles_keep_the_ids_they_had() -> None:
    assert slugify("Café Society: Über-scale ML (Part 2)") == "cafe-society-uber-scale-ml-part-2"
    assert slugify("What’s new in K8s_v1.30?") == "whats-new-in-k8s-v1-30"
    assert slugify("   ") == "section"
    assert slugify("Łódź meetup") == "łodz-meetup"  # a letter with no ASCII form is kept, not dropped
