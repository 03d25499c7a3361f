#pragma once
/// What a keyed state changed since its last snapshot, for incremental checkpoints
/// (Operator::incremental): the elements (a key's state) that changed, each listed once, and
/// the keys of those that went. An element carries its own ChangeMark (the epoch it was listed
/// in, and its place in the list), so that listing, unlisting and starting afresh cost O(1)
/// and write nothing to the elements they leave alone: a write to each, just after a forked
/// snapshot, would copy every page holding one.
///
/// When more elements changed or went than are held, the log stops listing and says the
/// changes are the whole state (at the end of the input every key goes; listing them would
/// copy each key for nothing).
/// Thread safety: as the operator that owns it.
/// ```cpp example
/// struct Item {
///   std::string key;
///   rivulet::stream::ChangeMark mark;
/// };
/// struct MarkOf {
///   rivulet::stream::ChangeMark& operator()(Item* i) const { return i->mark; }
/// };
/// rivulet::stream::ChangeLog<Item*, MarkOf> log;
/// Item a{"a", {}}, b{"b", {}}, c{"c", {}};
/// log.touch(&a);  // not recording yet: nothing
/// log.start();
/// log.touch(&a);
/// log.touch(&b);
/// log.touch(&a);  // listed once
/// log.forget(&a, a.key, 2);
/// EXPECT_EQ(log.changed(), std::vector<Item*>{&b});
/// EXPECT_EQ(log.gone(), std::vector<std::string>{"a"});
/// EXPECT_FALSE(log.whole(2));
/// log.forget(&b, b.key, 1);
/// log.forget(&c, c.key, 0);  // 2 went, none held
/// EXPECT_TRUE(log.whole(0));
/// log.start();
/// EXPECT_FALSE(log.whole(0));
/// EXPECT_TRUE(log.changed().empty());
/// ```

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rivulet::stream {

/// An element's place in a ChangeLog: listed when `epoch` is the log's.
struct ChangeMark {
  uint64_t epoch = 0;
  size_t at = 0;
};

/// E: the element handle (a pointer); MarkOf: a functor giving an element's ChangeMark&.
template <class E, class MarkOf>
class ChangeLog {
 public:
  /// Records from now on: the state as the snapshot just taken saw it.
  void start() { reset(true); }
  /// Records nothing until the next start (the state was restored).
  void stop() { reset(false); }
  bool recording() const { return recording_; }

  /// `e` changed.
  void touch(E e) {
    if (!recording_) return;
    ChangeMark& m = MarkOf{}(e);
    if (m.epoch == epoch_) return;
    m.epoch = epoch_;
    m.at = changed_.size();
    changed_.push_back(e);
  }
  /// `e`, of key `key`, goes; `held`: the elements held without it.
  void forget(E e, const std::string& key, size_t held) {
    if (!recording_) return;
    ChangeMark& m = MarkOf{}(e);
    if (m.epoch == epoch_) {
      const E last = changed_.back();
      changed_[m.at] = last;
      MarkOf{}(last).at = m.at;
      changed_.pop_back();
      m.epoch = 0;
    }
    gone_.push_back(key);
    if (gone_.size() + changed_.size() > held) {
      reset(false);
      whole_ = true;
    }
  }

  /// Whether the changes are best saved as the whole state, of `held` elements: more changed
  /// or went than are held.
  bool whole(size_t held) const { return whole_ || gone_.size() + changed_.size() > held; }
  const std::vector<E>& changed() const { return changed_; }
  const std::vector<std::string>& gone() const { return gone_; }

 private:
  void reset(bool recording) {
    ++epoch_;  // unlists every element without a write to any
    changed_.clear();
    gone_.clear();
    recording_ = recording;
    whole_ = false;
  }
  bool recording_ = false;
  bool whole_ = false;
  uint64_t epoch_ = 1;  // marks start at 0: none listed
  std::vector<E> changed_;
  std::vector<std::string> gone_;
};

}  // namespace rivulet::stream
