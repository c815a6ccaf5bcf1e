/// @file page.h
/// A page: what the database returns for a key and what the cache holds.
///
/// The truth of a key is its list of posts, numbered 1, 2, 3, ... in commit
/// order; a page is the up-to-10 newest post numbers it was built from, newest
/// first. Carrying the numbers (not rendered HTML) is what lets the simulator
/// tell, when a page is served, whether it lacks a post that belongs on it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace stampede {

/// How many posts a page shows (the front page is "the 10 newest posts").
inline constexpr std::uint32_t kPagePosts = 10;

/// A request serial that names no request (a page no request stored).
inline constexpr std::uint64_t kNoSerial = ~std::uint64_t{0};

/// Bytes of a page as a cache stores it (Page::encode): its posts and where
/// it came from.
inline constexpr std::size_t kEncodedPageBytes = 4 * kPagePosts + 1 + 24;

/// Up to kPagePosts post numbers, newest (largest) first.
struct Page {
  std::uint32_t count = 0;              ///< Posts on the page.
  std::uint32_t posts[kPagePosts] = {}; ///< Post numbers, newest first.

  // Where it came from, for explaining an anomaly (the simulator sets these;
  // they take no part in comparing pages).
  std::uint64_t stored_by = kNoSerial; ///< Serial of the request whose cache write stored it.
  std::int64_t stored_at = -1;         ///< When that write was issued (ns); -1: never stored.
  std::int64_t read_at = -1; ///< When the database query it was built from began (ns); -1: warm-up.

  /// The page as the database shows it after `committed` posts.
  /// @param committed the number of posts committed for the key.
  /// @return posts committed, committed-1, ... (at most kPagePosts).
  static Page newest(std::uint32_t committed) noexcept {
    Page p;
    while (p.count < kPagePosts && committed > p.count) {
      p.posts[p.count] = committed - p.count;
      ++p.count;
    }
    return p;
  }

  /// Puts a post on top, as `update` does in place, keeping the newest
  /// kPagePosts (a post already present is not added twice).
  /// @param post the post number.
  void add(std::uint32_t post) noexcept {
    if (contains(post))
      return;
    std::uint32_t i = 0; // insertion point: keep descending order
    while (i < count && posts[i] > post)
      ++i;
    if (i >= kPagePosts)
      return;
    const std::uint32_t keep = count < kPagePosts ? count : kPagePosts - 1;
    for (std::uint32_t j = keep; j > i; --j)
      posts[j] = posts[j - 1];
    posts[i] = post;
    if (count < kPagePosts)
      ++count;
  }

  /// @param post a post number.
  /// @return whether the page shows it.
  bool contains(std::uint32_t post) const noexcept {
    for (std::uint32_t i = 0; i < count; ++i)
      if (posts[i] == post)
        return true;
    return false;
  }

  /// @param post a post number.
  /// @return how many posts on the page are newer than `post`.
  std::uint32_t newer_than(std::uint32_t post) const noexcept {
    std::uint32_t n = 0;
    for (std::uint32_t i = 0; i < count; ++i)
      n += posts[i] > post;
    return n;
  }

  /// @return the bytes a cache stores for this page: the post count (one
  ///         byte), the posts (4 bytes each), then stored_by, stored_at and
  ///         read_at (8 bytes each). The bytes never leave the process, so
  ///         they are in the host's byte order (a copy, not a loop per byte).
  std::string_view encode(char (&buf)[kEncodedPageBytes]) const noexcept {
    buf[0] = static_cast<char>(count);
    std::size_t n = 1;
    std::memcpy(buf + n, posts, 4 * count);
    n += 4 * count;
    std::memcpy(buf + n, &stored_by, 8);
    std::memcpy(buf + n + 8, &stored_at, 8);
    std::memcpy(buf + n + 16, &read_at, 8);
    return std::string_view(buf, n + 24);
  }

  /// Decodes what encode() wrote.
  /// @param bytes a cached value.
  /// @return the page; an ill-formed value decodes to the posts it has whole
  ///         and no origin.
  static Page decode(std::string_view bytes) noexcept {
    Page p;
    decode_into(bytes, p);
    return p;
  }

  /// decode() straight into an existing page, every field overwritten: a
  /// cache hit fills the request's page without building a temporary and
  /// copying it over.
  /// @param bytes a cached value.
  /// @param out set to what decode(bytes) returns.
  static void decode_into(std::string_view bytes, Page &out) noexcept {
    const std::size_t want = bytes.empty() ? 0 : static_cast<unsigned char>(bytes[0]);
    const std::size_t count =
        bytes.empty() ? 0 : std::min({want, std::size_t{kPagePosts}, (bytes.size() - 1) / 4});
    out.count = static_cast<std::uint32_t>(count);
    if (count == kPagePosts) {
      // The usual page, full: a copy of fixed size (a few moves, where a
      // copy of 4 * count bytes is a byte loop).
      std::memcpy(out.posts, bytes.data() + 1, sizeof out.posts);
    } else {
      // Unused post slots read 0, as in a fresh Page.
      if (count > 0)
        std::memcpy(out.posts, bytes.data() + 1, 4 * count);
      std::fill(out.posts + count, out.posts + kPagePosts, 0u);
    }
    const std::size_t n = 1 + 4 * count;
    if (count == want && n + 24 <= bytes.size()) {
      std::memcpy(&out.stored_by, bytes.data() + n, 8);
      std::memcpy(&out.stored_at, bytes.data() + n + 8, 8);
      std::memcpy(&out.read_at, bytes.data() + n + 16, 8);
    } else {
      out.stored_by = kNoSerial;
      out.stored_at = -1;
      out.read_at = -1;
    }
  }

  /// @param other another page.
  /// @return whether both show the same posts.
  bool operator==(const Page &other) const noexcept {
    return count == other.count && std::memcmp(posts, other.posts, count * sizeof(posts[0])) == 0;
  }
};

} // namespace stampede
