#pragma once
/// The Nexmark benchmark's event stream (online auctions: people, auctions and bids), faithful to
/// the reference generator (github.com/nexmark/nexmark, nexmark-flink's NexmarkGenerator, and the
/// Beam Nexmark generator it derives from). docs/generators.md has the whole model.
///
/// Event number n (0, 1, 2, ...; reordered within groups of `out_of_order_group_size` by the
/// reference's `(n * 953) % size` rule) has event id n, and its kind is given by n modulo
/// person + auction + bid proportion (1 + 3 + 46 = 50 by default): the first of each group of 50
/// is a person, the next 3 are auctions, the other 46 bids. Person and auction ids follow from the
/// event id ("last base0 id" rule, from 1000), so ids are dense and bids refer to auctions and
/// people that exist (or are about to: a lead of 10). Event time is `base_time` plus the event
/// number times the inter-event delay of `first_event_rate` (events per second; with
/// `next_event_rate` different, the rate alternates (`square`) or follows a sine every
/// `rate_period_sec`).
///
/// Each event draws its fields from its own java.util.Random seeded with its event id, as the Beam
/// reference does; rivulet reproduces java.util.Random's LCG bit for bit, so with `seed=0` every
/// event equals the reference's for the same configuration (except the random path of bid URLs,
/// which the reference draws from an unseeded Random; ours are seeded). Another seed XORs a
/// hash of it into every event's seed: another stream, same structure.
///
/// Shapes: `flat` (default), `{"kind":"bid","auction":1000,"bidder":1001,"price":...,
/// "channel":"Google","url":"https://www.nexmark.com/...","dateTime":1700000000000,"extra":"..."}`
/// with the reference's field names; `flink`, Flink's Nexmark table:
/// `{"event_type":2,"person":null,"auction":null,"bid":{...}}`. dateTime and expires are epoch ms.
/// The saved state is the event count: each event depends only on its number and the options.
/// Thread safety: none.
/// ```cpp example
/// auto g = rivulet::io::NexmarkGenerator::create({.seed = 0}).value();
/// std::string line;
/// g->next(line);  // event 0: a person, id 1000
/// EXPECT_EQ(line.rfind("{\"kind\":\"person\",\"id\":1000,", 0), 0u);
/// line.clear();
/// g->next(line);  // event 1: an auction, id 1000
/// EXPECT_EQ(line.rfind("{\"kind\":\"auction\",\"id\":1000,", 0), 0u);
/// ```

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rivulet/io/generators/generator.h"

namespace rivulet::io {

/// java.util.Random: the 48-bit linear congruential generator of the JDK, bit for bit (setSeed,
/// next(bits), nextInt(), nextInt(bound), nextLong(), nextDouble()).
/// ```cpp example
/// rivulet::io::JavaRandom r(42);
/// EXPECT_EQ(r.next_int(), -1170105035);  // new java.util.Random(42).nextInt()
/// ```
class JavaRandom {
 public:
  explicit JavaRandom(int64_t seed) { set_seed(seed); }
  void set_seed(int64_t seed) {
    state_ = (static_cast<uint64_t>(seed) ^ kMultiplier) & kMask;
  }
  int32_t next(int bits) {
    state_ = (state_ * kMultiplier + 0xBULL) & kMask;
    return static_cast<int32_t>(static_cast<int64_t>(state_) >> (48 - bits));
  }
  int32_t next_int() { return next(32); }
  /// In [0, bound). REQUIRES: bound > 0.
  int32_t next_int(int32_t bound) {
    int32_t r = next(31);
    const int32_t m = bound - 1;
    if ((bound & m) == 0) return static_cast<int32_t>((static_cast<int64_t>(bound) * r) >> 31);
    for (int32_t u = r; static_cast<int64_t>(u) - (r = u % bound) + m > INT32_MAX; u = next(31)) {
    }
    return r;
  }
  int64_t next_long() {
    const auto hi = static_cast<uint64_t>(static_cast<int64_t>(next(32)));
    const auto lo = static_cast<uint64_t>(static_cast<int64_t>(next(32)));
    return static_cast<int64_t>((hi << 32) + lo);
  }
  double next_double() {
    const auto hi = static_cast<int64_t>(next(26));
    const auto lo = static_cast<int64_t>(next(27));
    return static_cast<double>((hi << 27) + lo) * 0x1.0p-53;
  }

 private:
  static constexpr uint64_t kMultiplier = 0x5DEECE66DULL;
  static constexpr uint64_t kMask = (1ULL << 48) - 1;
  uint64_t state_ = 0;
};

class NexmarkGenerator final : public Generator {
 public:
  struct Options {
    int64_t first_event_rate = 10000;  ///< Events per second of event time. REQUIRES: >= 1.
    int64_t next_event_rate = 10000;   ///< Second rate of the rate shape. REQUIRES: >= 1.
    std::string rate_shape = "square";  ///< "square" or "sine" (when the rates differ).
    int64_t rate_period_sec = 600;      ///< Period of the rate shape. REQUIRES: >= 1.
    int64_t person_proportion = 1;      ///< REQUIRES: >= 1 (all three).
    int64_t auction_proportion = 3;
    int64_t bid_proportion = 46;
    int64_t avg_person_byte_size = 200;  ///< Target of the extra padding. REQUIRES: >= 0.
    int64_t avg_auction_byte_size = 500;
    int64_t avg_bid_byte_size = 100;
    int64_t hot_auction_ratio = 2;  ///< A bid is for a hot auction unless nextInt(ratio) == 0.
    int64_t hot_sellers_ratio = 4;  ///< REQUIRES: >= 1 (all three).
    int64_t hot_bidders_ratio = 4;
    int64_t num_in_flight_auctions = 100;  ///< REQUIRES: >= 1.
    int64_t num_active_people = 1000;      ///< REQUIRES: >= 1.
    int64_t out_of_order_group_size = 1;   ///< 1: in order. REQUIRES: >= 1.
    int64_t base_time = 1700000000000;     ///< Event time of event 0, epoch ms. REQUIRES: >= 0.
    bool extra = true;                     ///< Pad with the reference's `extra` strings.
    bool flink_bidder_offset = false;  ///< nexmark-flink's bug: bidder ids offset by 2000.
    std::string shape = "flat";        ///< "flat" or "flink".
    uint64_t seed = 42;                ///< 0: the reference's per-event seeds.
  };
  /// Errors: kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<NexmarkGenerator>> create(const Options& options);
  static Result<std::unique_ptr<Generator>> from_params(GeneratorParams& p);

  std::string_view kind() const override { return "nexmark"; }
  std::string spec() const override;

  /// The event time of event number n (the reference's timestampForEvent), epoch ms.
  int64_t timestamp_for_event(uint64_t event_number) const;

 private:
  explicit NexmarkGenerator(const Options& options);
  void emit(std::string& line) override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  int64_t last_base0_person_id(int64_t event_id) const;
  int64_t last_base0_auction_id(int64_t event_id) const;
  int64_t next_base0_person_id(int64_t event_id, JavaRandom& r) const;
  int64_t next_base0_auction_id(int64_t event_id, JavaRandom& r) const;
  void person(std::string& line, int64_t event_id, JavaRandom& r, int64_t time);
  void auction(std::string& line, uint64_t count, int64_t event_id, JavaRandom& r, int64_t time);
  void bid(std::string& line, int64_t event_id, JavaRandom& r, int64_t time);
  void append_channel_url(std::string& line, int32_t channel) const;

  Options options_;
  bool flink_shape_ = false;
  int64_t total_proportion_ = 50;
  std::vector<int64_t> delays_us_;  // inter-event delay of each step of the rate shape
  int64_t step_length_sec_ = 300;
  int64_t events_per_epoch_ = 0, epoch_period_ms_ = 0;
  uint64_t seed_mix_ = 0;
  std::array<std::string, 4> hot_urls_;
  uint64_t count_ = 0;  // events emitted
};

}  // namespace rivulet::io
