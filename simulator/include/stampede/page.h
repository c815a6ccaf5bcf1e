/// @file page.h
/// A page: what the database returns for a key and what the cache holds.
///
/// The truth of a key is its list of posts, numbered 1, 2, 3, ... in commit
/// order; a page is the up-to-10 newest post numbers it was built from, newest
/// first. Carrying the numbers (not rendered HTML) is what lets the simulator
/// tell, when a page is served, whether it lacks a post that belongs on it.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace stampede {

/// How many posts a page shows (the front page is "the 10 newest posts").
inline constexpr std::uint32_t kPagePosts = 10;

/// Up to kPagePosts post numbers, newest (largest) first.
struct Page {
  std::uint32_t count = 0;              ///< Posts on the page.
  std::uint32_t posts[kPagePosts] = {}; ///< Post numbers, newest first.

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

  /// @return the bytes a cache stores for this page (4 bytes a post, little-endian).
  std::string_view encode(char (&buf)[4 * kPagePosts]) const noexcept {
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::uint32_t v = posts[i];
      buf[4 * i] = static_cast<char>(v & 0xff);
      buf[4 * i + 1] = static_cast<char>((v >> 8) & 0xff);
      buf[4 * i + 2] = static_cast<char>((v >> 16) & 0xff);
      buf[4 * i + 3] = static_cast<char>((v >> 24) & 0xff);
    }
    return std::string_view(buf, 4 * count);
  }

  /// Decodes what encode() wrote.
  /// @param bytes a cached value.
  /// @return the page; an ill-formed value decodes to the posts it has whole.
  static Page decode(std::string_view bytes) noexcept {
    Page p;
    const std::size_t n = bytes.size() / 4;
    for (std::size_t i = 0; i < n && p.count < kPagePosts; ++i) {
      const auto *b = reinterpret_cast<const unsigned char *>(bytes.data() + 4 * i);
      p.posts[p.count++] = std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 |
                           std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24;
    }
    return p;
  }

  /// @param other another page.
  /// @return whether both show the same posts.
  bool operator==(const Page &other) const noexcept {
    return count == other.count && std::memcmp(posts, other.posts, count * sizeof(posts[0])) == 0;
  }
};

} // namespace stampede
