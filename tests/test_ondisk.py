import numpy as np
import pytest

from indexer.ondisk import Rows, read


@pytest.fixture()
def saved(tmp_path):
    matrix = np.random.default_rng(7).random((40, 6), dtype=np.float32)
    np.save(tmp_path / "m.npy", matrix)
    return tmp_path / "m.npy", matrix


@pytest.mark.parametrize("numbers", [[3], [0, 1, 2, 10, 11, 39], [5, 4, 9, 9, 8], list(range(40)), []])
def test_rows_read_what_the_matrix_holds(saved, numbers):
    path, matrix = saved
    rows = Rows(path)
    assert rows.shape == matrix.shape and len(rows) == 40
    assert np.array_equal(rows[np.array(numbers, dtype=np.int64)], matrix[numbers].reshape(-1, 6))


def test_slices_and_the_whole_matrix(saved):
    path, matrix = saved
    rows = Rows(path)
    assert np.array_equal(rows[7:12], matrix[7:12]) and np.array_equal(rows[:0], matrix[:0])
    assert np.array_equal(np.asarray(rows), matrix) and np.asarray(rows, dtype=np.float64).dtype == np.float64


def test_rows_outside_the_matrix_are_refused(saved):
    with pytest.raises(IndexError):
        Rows(saved[0])[np.array([39, 40])]


def test_a_truncated_or_wrong_shaped_file_is_refused(tmp_path, saved):
    path, _ = saved
    path.write_bytes(path.read_bytes()[:-4])
    with pytest.raises(ValueError, match="not 40 rows"):
        Rows(path)
    np.save(tmp_path / "v.npy", np.zeros(5, np.float32))
    with pytest.raises(ValueError, match="not a matrix"):
        Rows(tmp_path / "v.npy")


def test_read_returns_the_bytes_asked_for(tmp_path):
    (tmp_path / "t.bin").write_bytes(b"custody suites")
    assert read(tmp_path / "t.bin", 8, 6) == b"suites"
