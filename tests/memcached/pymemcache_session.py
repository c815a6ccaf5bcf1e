"""The course's Python patterns against a memcached-compatible server.

Run with Debian's interpreter (python3-pymemcache): /usr/bin/python3 THIS PORT
Prints one line per step and exits 0 when every step behaved as memcached does.
"""
import sys

from pymemcache.client.base import Client


def main(port):
    c = Client(("127.0.0.1", port), connect_timeout=5, timeout=5)
    c.flush_all()

    # Cache-aside: a miss, then the fill, then a hit.
    assert c.get("front_page") is None
    assert c.set("front_page", b"<ul><li>post 1</li></ul>", expire=300) is True
    assert c.get("front_page") == b"<ul><li>post 1</li></ul>"
    print("cache-aside: miss, fill, hit")

    # add stores only when absent (a fill that must not overwrite).
    assert c.add("front_page", b"older page", noreply=False) is False
    assert c.add("fresh_key", b"v", noreply=False) is True
    print("add: refused on a present key, stored on an absent one")

    # A visitor counter with incr, created on first use.
    assert c.incr("visitors", 1) is None
    c.set("visitors", b"0")
    assert c.incr("visitors", 1) == 1
    assert c.incr("visitors", 41) == 42
    assert c.decr("visitors", 50) == 0
    print("counter: incr on a missing key, then 1, 42, and decr stops at 0")

    # gets/cas: the correct retry loop recomputes the value from the fresh read.
    c.set("likes", b"10")
    value, unique = c.gets("likes")
    c.set("likes", b"11")  # another client writes in between
    assert c.cas("likes", str(int(value) + 1).encode(), unique) is False
    for _ in range(5):
        value, unique = c.gets("likes")
        if c.cas("likes", str(int(value) + 1).encode(), unique):
            break
    assert c.get("likes") == b"12"
    assert c.cas("nobody", b"1", 1) is None
    print("cas: a stale unique is refused (EXISTS), the retry loop stores 12")

    # delete, then the next read misses.
    assert c.delete("front_page", noreply=False) is True
    assert c.delete("front_page", noreply=False) is False
    assert c.get("front_page") is None
    print("delete: DELETED, then NOT_FOUND and a miss")

    # get_many over several keys, some missing.
    c.set_many({"a": b"1", "b": b"2"})
    assert c.get_many(["a", "b", "missing"]) == {"a": b"1", "b": b"2"}
    print("get_many: two hits, one miss")

    stats = c.stats()
    assert stats[b"cmd_get"] > 0 and b"curr_items" in stats
    print("stats: cmd_get", stats[b"cmd_get"], "curr_items", stats[b"curr_items"])
    c.close()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
