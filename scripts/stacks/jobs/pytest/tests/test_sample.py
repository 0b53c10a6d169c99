import pytest


def test_sorted(numbers):
    assert sorted(numbers) == [1, 2, 3]


@pytest.mark.parametrize("a,b", [(1, 1), (2, 3), ("x", "x")])
def test_equal(a, b):
    assert a == b


def test_dict_diff():
    assert {"a": 1, "b": [1, 2]} == {"a": 1, "b": [1, 3]}


@pytest.mark.skip(reason="not today")
def test_skipped():
    pass


@pytest.mark.xfail(strict=True)
def test_xfail():
    raise ValueError("expected")


def test_raises():
    with pytest.raises(ZeroDivisionError, match="division"):
        1 / 0  # noqa: B018


def test_tmp_path(tmp_path):
    (tmp_path / "f.txt").write_text("hi")
    assert (tmp_path / "f.txt").read_text() == "hi"
