"""Rule (e) of the support check (answer/header.py): a talk's header (title, speakers, company)
supports a claim about the talk the question names; for who / which company questions only the
names it gives (speakers, companies, what the title puts in brackets) do."""

from collections.abc import Callable
from pathlib import Path

from conftest import assistant_over
from recapqa.answer.citations import SupportChecker
from recapqa.answer.header import HEADER_ROW, header_names, header_text, names_talk
from recapqa.embed import Embedder
from recapqa.models import Speaker, Talk
from recapqa.settings import Settings


def talk(title: str, speakers: list[Speaker] | None = None, company: str | None = None) -> Talk:
    return Talk("t", title, "talk", "notes.md", 1, 9, company, speakers or [])


def test_the_header_is_the_title_with_speakers_and_companies() -> None:
    given = talk("Migrating Services", [Speaker("Sam Rivera", "Director", "Contoso")])
    assert header_text(given) == "Migrating Services (Sam Rivera, Contoso)"
    assert header_names(given) == "Sam Rivera Contoso"
    bracketed = talk("Alex Moreau (Northwind Labs) Stream Rule Engine")
    assert header_text(bracketed) == "Alex Moreau (Northwind Labs) Stream Rule Engine"
    assert header_names(bracketed) == "Northwind Labs"
    assert header_names(talk("Replacing HAProxy with Traefik", company="Contoso")) == "Contoso"


def test_a_question_names_a_talk_by_its_names_and_most_of_its_words() -> None:
    given = talk("Alex Moreau (Northwind Labs) Stream Rule Engine")
    question = "Which company is Alex from, who presented the stream rule engine?"
    assert names_talk(question, frozenset({"alex"}), given, 0.5)  # alex, stream, rule, engine of 6 words
    assert not names_talk(question, frozenset({"alex"}), given, 0.7)
    assert not names_talk(question, frozenset({"jordan"}), given, 0.5)  # a name the header lacks
    assert not names_talk("Which company built the rule engine?", frozenset(), given, 0.0)  # 0: off


NOTES = {
    "engine.md": """# Alex Moreau (Northwind Labs) Stream Rule Engine

* rules are written as regular expressions over event streams
* each rule set is compiled once per deploy
""",
    "proxy.md": """# Replacing HAProxy with Traefik

Speaker: Sam Rivera

* the migration took two quarters and one rollback
""",
    "migration.md": """# Migrating 150+ Services to Kubernetes

* the team moved one service a day at first
""",
}


def test_the_header_of_the_named_talk_supports_who_and_which_company(
    tmp_path: Path, embedder_factory: Callable[[], Embedder]
) -> None:
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    assistant = assistant_over(settings, NOTES, embedder_factory)
    checker = SupportChecker(assistant.extractive, assistant.embed_query)

    def verdict(question: str, claim_of: Callable[[int], str], title_word: str) -> tuple[bool, list[int]]:
        retrieval = assistant.retriever.retrieve(question)
        n = next(n for n, h in enumerate(retrieval.hits, 1) if title_word in h.talk.title)
        [v] = checker.check(claim_of(n), retrieval, retrieval.hits)
        return v.kept, [row for _, row, _ in v.sources]

    company = "Which company is Alex Moreau from, who presented the stream rule engine?"
    assert verdict(company, lambda n: f"Alex Moreau is from Northwind Labs [{n}].", "Stream") == (True, [HEADER_ROW])
    # a title names what the talk is about, not where its speaker works
    works = "Which company does Sam Rivera work for?"
    assert verdict(works, lambda n: f"Sam Rivera works for Traefik [{n}].", "Traefik") == (False, [])
    count = "How many services were migrated to Kubernetes?"
    assert verdict(count, lambda n: f"150+ services were migrated to Kubernetes [{n}].", "Kubernetes") == (
        True,
        [HEADER_ROW],
    )
    assert verdict(count, lambda n: f"250 services were migrated to Kubernetes [{n}].", "Kubernetes") == (False, [])
