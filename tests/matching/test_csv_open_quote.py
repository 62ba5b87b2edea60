"""Regression (pages review, live import on PostgreSQL): a CSV quote left open swallowed the
rest of the file into one cell, and the import took it as a good row (the name
'unterminated,,,,,,'). A CSV that is not well formed is refused, naming the row."""

import pytest

from tandem.matching.records.reading import BAD_CSV, FileError, read_rows

HEADER = "email,role,name\n"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('q@x.test,mentee,"Ann,,,\n', "row 2: unexpected end of data"),
        ('a@x.test,mentee,ok\nq@x.test,mentee,"Ann" Lee\n', "row 3: ',' expected after '\"'"),
    ],
)
def test_a_malformed_quote_is_refused_naming_the_row(body, problem):
    with pytest.raises(FileError) as raised:
        read_rows(filename="people.csv", content=(HEADER + body).encode())
    assert str(raised.value) == BAD_CSV.format(error=problem)


def test_well_formed_quotes_still_read():
    content = (HEADER + 'a@x.test,mentee,"Lee, Ann"\nb@x.test,mentor,Jo "JJ" Smith\n').encode()
    assert read_rows(filename="people.csv", content=content) == [
        (1, ["email", "role", "name"]),
        (2, ["a@x.test", "mentee", "Lee, Ann"]),
        (3, ["b@x.test", "mentor", 'Jo "JJ" Smith']),
    ]
