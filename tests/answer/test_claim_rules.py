"""The text conventions of the support check (answer/claim_rules.py), on made-up sentences:
a count or date question needs a count or date in the claim; a number counts in the sentence
what it counts in the claim; a comparison keeps its sides; plurals of generic words are not
names."""

from recapqa.answer.claim_rules import (
    answers_no,
    attached_clauses,
    contrast_matches,
    counted_word,
    gives_asked_quantity,
    names_counted_items,
    negation_matches,
    number_values,
    numbers_bound,
)
from recapqa.answer.question import _names, analyse


def asks(question: str, claim: str) -> bool:
    return gives_asked_quantity(claim, question, analyse(question, frozenset()))


def test_a_count_question_needs_a_number_the_question_does_not_hold() -> None:
    question = "How many engineers work on the platform?"
    assert asks(question, "About 40 engineers work on it.")
    assert asks(question, "Forty engineers work on it.")
    assert asks(question, "Dozens of engineers work on it.")
    assert not asks(question, "The platform team has engineers from every office.")
    assert not asks("How many of the 12 teams use it?", "The 12 teams use the platform.")
    assert asks("What percentage of jobs fail?", "Some 3% of jobs fail.")
    assert not asks("What percentage of jobs fail?", "Jobs fail when the cluster is full.")


def test_a_date_question_needs_a_number_or_a_date_word() -> None:
    question = "When did the team deploy its first ranking model?"
    assert asks(question, "They deployed it in 2019.")
    assert asks(question, "They deployed it in March.")
    assert asks(question, "They deployed it two years ago.")
    assert asks(question, "They deployed it in mid-November.")
    assert not asks(question, "Their first ranking model (a boosted tree predicting clicks).")
    assert not asks("Which year did the team move to the cloud?", "The team moved to the cloud.")


def test_other_questions_need_no_number() -> None:
    assert asks("What happens when a model fails?", "A fallback model answers.")
    assert asks("Why did they build a feature store?", "To share features between teams.")
    assert asks("How often is the model retrained?", "It is retrained whenever drift is detected.")


def test_the_counted_word_is_the_word_right_after_the_number() -> None:
    assert counted_word("It runs in 212 million towns.", "212") == "town"
    assert counted_word("They train 5.3k models a week.", "5.3") == "model"
    assert counted_word("About 65% of companies are multi-cloud.", "65") == "compani"
    assert counted_word("It started in 2015 to make decisions.", "2015") is None  # "to": nothing counted
    assert counted_word("The total is 40.", "40") is None
    assert counted_word("About 65% of 5 teams.", "5") == "team"  # the whole number, not the 5 of 65
    assert counted_word("By 2019, shared dashboards appeared.", "2019") is None  # the clause ends at the number


def test_a_number_that_ends_its_clause_is_bound_in_a_sentence_that_says_the_same() -> None:
    sentence = "`04:10` - By 2019, shared dashboards appeared with central logging."
    assert numbers_bound('The talk states "By 2019, shared dashboards appeared."', sentence, {"2019"})


def test_a_number_must_count_the_same_thing_in_the_sentence() -> None:
    sentence = "The app has around 212 millions monthly active users in 30 000 towns."
    assert not numbers_bound("The app is present in 212 million towns.", sentence, {"212"})
    assert numbers_bound("The app has 212 million monthly users.", sentence, {"212"})
    assert numbers_bound("The app is present in 30 000 towns.", sentence, {"30", "000"})
    assert numbers_bound("It has 212 million riders.", sentence, {"212"})  # "riders" is not in the sentence at all
    assert numbers_bound("There are 40 engineers.", "Engineers: 40, across 3 offices.", {"40"})  # the word before
    assert not numbers_bound("There are 3 engineers.", "Engineers: 40, across 3 offices.", {"3"})


def test_plurals_of_generic_words_are_not_names() -> None:
    question = "What did the Acme and Initech CEOs say about APIs?"
    assert _names(question, frozenset()) == {"acme", "initech"}


def test_a_comparison_keeps_its_sides() -> None:
    sentence = "The new scheduler is slightly faster than the old one on small jobs."
    assert contrast_matches("The new scheduler is a bit faster than the old one.", sentence)
    assert not contrast_matches("The old scheduler is slightly faster than the new one.", sentence)
    assert contrast_matches("The new scheduler is faster.", sentence)  # no comparison in the claim
    assert contrast_matches("The new scheduler beats the old one on small jobs.", sentence)


def test_a_comparison_of_a_thing_with_itself_says_nothing() -> None:
    sentence = "Redis with pipelining is faster than Memcached with pipelining."
    assert not contrast_matches("Memcached with pipelining is faster than Memcached with pipelining.", sentence)
    assert contrast_matches("Redis with pipelining is faster than Memcached.", sentence)


def test_what_follows_a_contrast_must_be_what_the_sentence_contrasts() -> None:
    sentence = "A data mesh is different from a data lake, which stores raw files in one place."
    assert contrast_matches("A data mesh is different from a data lake.", sentence)
    assert not contrast_matches("It is different from a data warehouse, which stores raw files.", sentence)
    # a contrast the sentence does not make is left to word overlap
    assert contrast_matches("The mesh scales better than one central team.", sentence)


def test_more_than_a_figure_is_not_a_comparison() -> None:
    sentence = "There are more than 41 thousand subscribers to the newsletters."
    assert contrast_matches("The newsletters have more than 41,000 subscribers.", sentence)


def test_a_figure_is_worth_the_same_however_it_is_written() -> None:
    assert number_values("more than 41 thousand subscribers") == {"41": 41000.0}
    assert number_values("more than 41,000 subscribers") == {"41,000": 41000.0}
    assert number_values("5.3k models and 10M predictions") == {"5.3": 5300.0, "10": 10_000_000.0}
    assert number_values("2 millions users") == {"2": 2_000_000.0}
    assert number_values("7 models") == {"7": 7.0}


def test_a_question_giving_how_many_things_it_asks_for_needs_them_named() -> None:
    question = "Which two compilers did the speaker compare his translator with?"
    assert names_counted_items("He compared it with gc and Quillc.", question)
    assert names_counted_items("One of them was Quillc.", question)  # names one, repeats no count
    assert not names_counted_items("He compared it with two other compilers built on the same library.", question)
    levels = "What are the three levels of the review ladder?"
    assert names_counted_items("The three levels are draft, checked and approved.", levels)
    assert not names_counted_items("The review ladder is three levels, suited to many teams.", levels)
    # a count the question does not ask by, or a number that is not a count of the things asked
    assert names_counted_items("Two teams of five people.", "How many teams use it?")
    assert names_counted_items("Two-pizza teams own their services.", "Which two-pizza teams own services?")


def test_the_clauses_a_claim_attaches_with_a_connective() -> None:
    assert attached_clauses("It keeps jobs in YAML, which put the team off.") == [{"put", "team"}]
    assert attached_clauses("They moved because the bills grew, and left.") == [{"bill", "grew"}]
    assert attached_clauses("It is config-heavy, which helps.") == []  # one word: too little to judge
    assert attached_clauses("It keeps jobs in YAML files.") == []


def test_a_claim_negating_a_yes_no_question_answers_it() -> None:
    question = "Does the author think every team needs a platform group?"
    assert answers_no("The author does not think every team needs a platform group.", question)
    assert answers_no("No, not every team needs one.", question)
    assert not answers_no("The author thinks every team needs a platform group.", question)  # adds nothing
    assert not answers_no("Not every team needs one.", "Which teams need a platform group?")  # not yes / no
    assert not answers_no("They do not need one.", "Does the author think teams do not need one?")


def test_a_no_answer_may_negate_the_question_s_verb_before_what_the_sentence_negates() -> None:
    claim = "The author does not think every team needs a platform group."
    said = "Platforms help, but not every team needs a platform group."
    assert not negation_matches(claim, said)  # its first word, "think", is not what the sentence negates
    assert negation_matches(claim, said, 3)  # "every", within its first three, is
    assert not negation_matches(claim, "Every team needs a platform group.", 3)  # nothing negated there
