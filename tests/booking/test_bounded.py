from booking.bounded import BoundedDict


def test_put_forgets_the_oldest_entries_beyond_its_size():
    cache: BoundedDict[str, int] = BoundedDict(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 3)  # a key already there replaces its value, nothing is dropped
    assert cache == {"a": 3, "b": 2}
    assert cache.put("c", 4) == 4
    assert cache == {"b": 2, "c": 4}
