#include "rivulet/io/generators/nexmark_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string_view>

#include "io/generators/json_line.h"
#include "rivulet/io/generators/generator_params.h"

namespace rivulet::io {
namespace {

// The reference's constants (GeneratorConfig, PersonGenerator, AuctionGenerator, BidGenerator).
constexpr int64_t kFirstAuctionId = 1000;
constexpr int64_t kFirstPersonId = 1000;
constexpr int64_t kFirstCategoryId = 10;
constexpr int64_t kPersonIdLead = 10;
constexpr int64_t kAuctionIdLead = 10;
constexpr int64_t kHotSellerRatio = 100;
constexpr int64_t kHotAuctionRatio = 100;
constexpr int64_t kHotBidderRatio = 100;
constexpr int32_t kNumCategories = 5;
constexpr int32_t kHotChannelsRatio = 2;
constexpr int32_t kChannelsNumber = 10000;
constexpr int kMinStringLength = 3;

constexpr std::array<std::string_view, 6> kStates = {"AZ", "CA", "ID", "OR", "WA", "WY"};
constexpr std::array<std::string_view, 10> kCities = {
    "Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland",
    "Bend",    "Redmond",     "Seattle",       "Kent",  "Cheyenne"};
constexpr std::array<std::string_view, 11> kFirstNames = {
    "Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"};
constexpr std::array<std::string_view, 9> kLastNames = {
    "Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"};
constexpr std::array<std::string_view, 4> kHotChannels = {"Google", "Facebook", "Baidu", "Apple"};

uint64_t mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Java's Math.round for the non-negative values used here: round half up.
int64_t java_round(double x) { return static_cast<int64_t>(std::floor(x + 0.5)); }

// LongGenerator.nextLong: nextInt when n fits an int, else |nextLong() % n| (skewed, as the
// reference).
int64_t next_long(JavaRandom& r, int64_t n) {
  if (n < INT32_MAX) return r.next_int(static_cast<int32_t>(n));
  const int64_t v = r.next_long() % n;
  return v < 0 ? -v : v;
}

// PriceGenerator.nextPrice: 10^(6u) * 100, rounded: log-uniform from 100 to 10^8 cents.
int64_t next_price(JavaRandom& r) {
  return java_round(std::pow(10.0, r.next_double() * 6.0) * 100.0);
}

// StringsGenerator.nextString(maxLength, special) into `out`; returns the length after Java's
// trim() (which removes the spaces at both ends; `special` '_' is kept).
struct SmallString {
  char text[128];
  int size = 0;
  std::string_view view() const { return {text, static_cast<size_t>(size)}; }
};
void next_string(JavaRandom& r, int max_length, char special, SmallString& out) {
  int len = kMinStringLength + r.next_int(max_length - kMinStringLength);
  out.size = 0;
  while (len-- > 0) {
    out.text[out.size++] =
        r.next_int(13) == 0 ? special : static_cast<char>('a' + r.next_int(26));
  }
  int begin = 0, end = out.size;
  while (begin < end && out.text[begin] <= ' ') ++begin;
  while (end > begin && out.text[end - 1] <= ' ') --end;
  if (begin > 0) std::copy(out.text + begin, out.text + end, out.text);
  out.size = end - begin;
}

// StringsGenerator.nextExtra, appended to `line` JSON-escaped (nextExactString's characters come
// from 'a' + rnd % 26 with a signed rnd, so they go from 'H' to 'z' and include a backslash).
void append_extra(std::string& line, JavaRandom& r, int64_t current_size, int64_t average) {
  if (current_size > average) return;
  average -= current_size;
  const auto delta = static_cast<int32_t>(java_round(static_cast<double>(average) * 0.2));
  const int64_t min_size = average - delta;
  int64_t length = min_size + (delta == 0 ? 0 : r.next_int(2 * delta));
  int32_t rnd = 0;
  int n = 0;
  while (length-- > 0) {
    if (n == 0) {
      rnd = r.next_int();
      n = 6;  // log_26(2^31)
    }
    const char c = static_cast<char>('a' + rnd % 26);
    if (c == '\\') line += '\\';
    line += c;
    rnd /= 26;
    --n;
  }
}

void append_int(std::string& line, int64_t v) { internal::append_int(line, v); }
void append_str(std::string& line, std::string_view key, std::string_view v) {
  line += key;
  line += '"';
  line += v;
  line += '"';
}
void append_num(std::string& line, std::string_view key, int64_t v) {
  line += key;
  append_int(line, v);
}

int32_t reverse_bits(uint32_t v) {
  uint32_t r = 0;
  for (int i = 0; i < 32; ++i) {
    r = (r << 1) | (v & 1u);
    v >>= 1;
  }
  return static_cast<int32_t>(r);
}

// BidGenerator.getBaseUrl, from a seeded Random (the reference's is unseeded).
void append_base_url(std::string& line, JavaRandom& r) {
  line += "https://www.nexmark.com/";
  SmallString part;
  for (int i = 0; i < 3; ++i) {
    next_string(r, 5, '_', part);
    line += part.view();
    line += '/';
  }
  line += "item.htm?query=1";
}

}  // namespace

Result<std::unique_ptr<NexmarkGenerator>> NexmarkGenerator::create(const Options& o) {
  auto bad = [](std::string what) { return Status::invalid_argument("nexmark: " + what); };
  auto at_least = [&](std::string_view name, int64_t v, int64_t low) -> Status {
    if (v < low) return bad(fmt::format("{} must be >= {} (got {})", name, low, v));
    if (v > INT32_MAX) return bad(fmt::format("{} must be <= {} (got {})", name, INT32_MAX, v));
    return Status::ok_status();
  };
  RIVULET_RETURN_IF_ERROR(at_least("first_event_rate", o.first_event_rate, 1));
  RIVULET_RETURN_IF_ERROR(at_least("next_event_rate", o.next_event_rate, 1));
  RIVULET_RETURN_IF_ERROR(at_least("rate_period_sec", o.rate_period_sec, 1));
  RIVULET_RETURN_IF_ERROR(at_least("person_proportion", o.person_proportion, 1));
  RIVULET_RETURN_IF_ERROR(at_least("auction_proportion", o.auction_proportion, 1));
  RIVULET_RETURN_IF_ERROR(at_least("bid_proportion", o.bid_proportion, 1));
  RIVULET_RETURN_IF_ERROR(at_least("avg_person_byte_size", o.avg_person_byte_size, 0));
  RIVULET_RETURN_IF_ERROR(at_least("avg_auction_byte_size", o.avg_auction_byte_size, 0));
  RIVULET_RETURN_IF_ERROR(at_least("avg_bid_byte_size", o.avg_bid_byte_size, 0));
  for (int64_t size : {o.avg_person_byte_size, o.avg_auction_byte_size, o.avg_bid_byte_size}) {
    if (size > 1000000) {
      return bad(fmt::format("the average byte sizes must be <= 1000000 (got {})", size));
    }
  }
  RIVULET_RETURN_IF_ERROR(at_least("hot_auction_ratio", o.hot_auction_ratio, 1));
  RIVULET_RETURN_IF_ERROR(at_least("hot_sellers_ratio", o.hot_sellers_ratio, 1));
  RIVULET_RETURN_IF_ERROR(at_least("hot_bidders_ratio", o.hot_bidders_ratio, 1));
  RIVULET_RETURN_IF_ERROR(at_least("num_in_flight_auctions", o.num_in_flight_auctions, 1));
  RIVULET_RETURN_IF_ERROR(at_least("num_active_people", o.num_active_people, 1));
  RIVULET_RETURN_IF_ERROR(at_least("out_of_order_group_size", o.out_of_order_group_size, 1));
  if (o.person_proportion + o.auction_proportion + o.bid_proportion > INT32_MAX) {
    return bad("the proportions add up to more than 2^31 - 1");
  }
  if (o.base_time < 0) return bad(fmt::format("base_time must be >= 0 (got {})", o.base_time));
  if (o.rate_shape != "square" && o.rate_shape != "sine") {
    return bad(fmt::format("rate_shape must be 'square' or 'sine' (got '{}')", o.rate_shape));
  }
  if (o.shape != "flat" && o.shape != "flink") {
    return bad(fmt::format("shape must be 'flat' or 'flink' (got '{}')", o.shape));
  }
  return std::unique_ptr<NexmarkGenerator>(new NexmarkGenerator(o));
}

Result<std::unique_ptr<Generator>> NexmarkGenerator::from_params(GeneratorParams& p) {
  Options o;
  o.first_event_rate =
      p.integer("first_event_rate", o.first_event_rate, "events per second of event time");
  o.next_event_rate = p.integer("next_event_rate", o.next_event_rate,
                                "second rate of the rate shape (equal: a constant rate)");
  o.rate_shape = p.string("rate_shape", o.rate_shape, "'square' or 'sine'");
  o.rate_period_sec = p.integer("rate_period_sec", o.rate_period_sec, "period of the rate shape");
  o.person_proportion = p.integer("person_proportion", o.person_proportion, "people per group");
  o.auction_proportion =
      p.integer("auction_proportion", o.auction_proportion, "auctions per group");
  o.bid_proportion = p.integer("bid_proportion", o.bid_proportion, "bids per group");
  o.avg_person_byte_size = p.integer("avg_person_byte_size", o.avg_person_byte_size,
                                     "average size a person is padded to with extra");
  o.avg_auction_byte_size = p.integer("avg_auction_byte_size", o.avg_auction_byte_size,
                                      "average size an auction is padded to with extra");
  o.avg_bid_byte_size = p.integer("avg_bid_byte_size", o.avg_bid_byte_size,
                                  "average size a bid is padded to with extra");
  o.hot_auction_ratio = p.integer("hot_auction_ratio", o.hot_auction_ratio,
                                  "a bid is for a hot auction with probability 1 - 1/ratio");
  o.hot_sellers_ratio = p.integer("hot_sellers_ratio", o.hot_sellers_ratio,
                                  "an auction is by a hot seller with probability 1 - 1/ratio");
  o.hot_bidders_ratio = p.integer("hot_bidders_ratio", o.hot_bidders_ratio,
                                  "a bid is by a hot bidder with probability 1 - 1/ratio");
  o.num_in_flight_auctions = p.integer("num_in_flight_auctions", o.num_in_flight_auctions,
                                       "auctions open at a time (bids' and expiry's horizon)");
  o.num_active_people = p.integer("num_active_people", o.num_active_people,
                                  "people who may sell or bid at a time");
  o.out_of_order_group_size = p.integer("out_of_order_group_size", o.out_of_order_group_size,
                                        "events shuffled within groups of this size (1: none)");
  o.base_time = p.integer("base_time", o.base_time, "event time of the first event, epoch ms");
  o.extra = p.boolean("extra", o.extra, "pad events with the reference's extra strings");
  o.flink_bidder_offset = p.boolean("flink_bidder_offset", o.flink_bidder_offset,
                                    "add 1000 to bidder ids twice, as nexmark-flink does");
  o.shape = p.string("shape", o.shape, "'flat' (kind and fields) or 'flink' (Flink's table)");
  o.seed = p.seed("seed", "0: the reference's per-event seeds; else mixed into them");
  RIVULET_RETURN_IF_ERROR(p.finish());
  RIVULET_ASSIGN_OR_RETURN(auto g, create(o));
  return std::unique_ptr<Generator>(std::move(g));
}

NexmarkGenerator::NexmarkGenerator(const Options& o) : options_(o) {
  flink_shape_ = o.shape == "flink";
  total_proportion_ = o.person_proportion + o.auction_proportion + o.bid_proportion;
  seed_mix_ = o.seed == 0 ? 0 : mix(o.seed);
  // Beam's RateShape.interEventDelayUs and stepLengthSec (RateUnit PER_SECOND, one generator).
  auto period_us = [](int64_t rate) { return (1000000 + rate / 2) / rate; };
  if (o.first_event_rate != o.next_event_rate) {
    int n = 2;
    if (o.rate_shape == "square") {
      delays_us_ = {period_us(o.first_event_rate), period_us(o.next_event_rate)};
    } else {
      n = 10;
      const double mid = static_cast<double>(o.first_event_rate + o.next_event_rate) / 2.0;
      const double amp = static_cast<double>(o.first_event_rate - o.next_event_rate) / 2.0;
      for (int i = 0; i < n; ++i) {
        const double rate = mid + amp * std::cos(2.0 * std::numbers::pi * i / n);
        delays_us_.push_back(period_us(std::max<int64_t>(1, java_round(rate))));
      }
    }
    step_length_sec_ = (o.rate_period_sec + n - 1) / n;
    for (int64_t d : delays_us_) {
      const int64_t events = step_length_sec_ * 1000000 / d;
      events_per_epoch_ += events;
      epoch_period_ms_ += events * d / 1000;
    }
  }
  // The four hot channels' URLs, from the seed.
  JavaRandom r(static_cast<int64_t>(mix(o.seed ^ 0x75726c73ULL)));
  for (auto& url : hot_urls_) append_base_url(url, r);
}

std::string NexmarkGenerator::spec() const {
  const Options& o = options_;
  return internal::SpecText("nexmark")
      .add("first_event_rate", o.first_event_rate)
      .add("next_event_rate", o.next_event_rate)
      .add("rate_shape", o.rate_shape)
      .add("rate_period_sec", o.rate_period_sec)
      .add("person_proportion", o.person_proportion)
      .add("auction_proportion", o.auction_proportion)
      .add("bid_proportion", o.bid_proportion)
      .add("avg_person_byte_size", o.avg_person_byte_size)
      .add("avg_auction_byte_size", o.avg_auction_byte_size)
      .add("avg_bid_byte_size", o.avg_bid_byte_size)
      .add("hot_auction_ratio", o.hot_auction_ratio)
      .add("hot_sellers_ratio", o.hot_sellers_ratio)
      .add("hot_bidders_ratio", o.hot_bidders_ratio)
      .add("num_in_flight_auctions", o.num_in_flight_auctions)
      .add("num_active_people", o.num_active_people)
      .add("out_of_order_group_size", o.out_of_order_group_size)
      .add("base_time", o.base_time)
      .add("extra", o.extra)
      .add("flink_bidder_offset", o.flink_bidder_offset)
      .add("shape", o.shape)
      .add("seed", o.seed)
      .str();
}

int64_t NexmarkGenerator::timestamp_for_event(uint64_t event_number) const {
  const auto n = static_cast<int64_t>(event_number);
  if (delays_us_.empty()) {
    // nexmark-flink's GeneratorConfig: a double delay of 10^6 / rate microseconds.
    const double delay_us = 1000000.0 / static_cast<double>(options_.first_event_rate);
    return options_.base_time + static_cast<int64_t>(static_cast<double>(n) * delay_us) / 1000;
  }
  // Beam's GeneratorConfig.timestampAndInterEventDelayUsForEvent.
  const int64_t epoch = n / events_per_epoch_;
  int64_t k = n % events_per_epoch_;
  int64_t offset_ms = 0;
  for (int64_t d : delays_us_) {
    const int64_t events = step_length_sec_ * 1000000 / d;
    if (k < events) return options_.base_time + epoch * epoch_period_ms_ + offset_ms + k * d / 1000;
    k -= events;
    offset_ms += events * d / 1000;
  }
  return options_.base_time + epoch * epoch_period_ms_ + offset_ms;  // not reached
}

int64_t NexmarkGenerator::last_base0_person_id(int64_t event_id) const {
  const int64_t epoch = event_id / total_proportion_;
  int64_t offset = event_id % total_proportion_;
  if (offset >= options_.person_proportion) offset = options_.person_proportion - 1;
  return epoch * options_.person_proportion + offset;
}

int64_t NexmarkGenerator::last_base0_auction_id(int64_t event_id) const {
  int64_t epoch = event_id / total_proportion_;
  int64_t offset = event_id % total_proportion_;
  if (offset < options_.person_proportion) {
    --epoch;
    offset = options_.auction_proportion - 1;
  } else if (offset >= options_.person_proportion + options_.auction_proportion) {
    offset = options_.auction_proportion - 1;
  } else {
    offset -= options_.person_proportion;
  }
  return epoch * options_.auction_proportion + offset;
}

int64_t NexmarkGenerator::next_base0_person_id(int64_t event_id, JavaRandom& r) const {
  const int64_t num_people = last_base0_person_id(event_id) + 1;
  const int64_t active = std::min(num_people, options_.num_active_people);
  const int64_t n = next_long(r, active + kPersonIdLead);
  return num_people - active + n;
}

int64_t NexmarkGenerator::next_base0_auction_id(int64_t event_id, JavaRandom& r) const {
  const int64_t max_auction = last_base0_auction_id(event_id);
  const int64_t min_auction = std::max<int64_t>(max_auction - options_.num_in_flight_auctions, 0);
  return min_auction + next_long(r, max_auction - min_auction + 1 + kAuctionIdLead);
}

void NexmarkGenerator::emit(std::string& line) {
  // GeneratorConfig.nextAdjustedEventNumber: shuffled within groups of out_of_order_group_size.
  const uint64_t number = count_;
  const auto group = static_cast<uint64_t>(options_.out_of_order_group_size);
  const uint64_t adjusted = (number / group) * group + (number * 953) % group;
  const auto event_id = static_cast<int64_t>(adjusted);
  const int64_t time = timestamp_for_event(adjusted);
  JavaRandom r(static_cast<int64_t>(static_cast<uint64_t>(event_id) ^ seed_mix_));
  const int64_t rem = event_id % total_proportion_;
  if (rem < options_.person_proportion) {
    person(line, event_id, r, time);
  } else if (rem < options_.person_proportion + options_.auction_proportion) {
    auction(line, number, event_id, r, time);
  } else {
    bid(line, event_id, r, time);
  }
  ++count_;
}

void NexmarkGenerator::person(std::string& line, int64_t event_id, JavaRandom& r, int64_t time) {
  const int64_t id = last_base0_person_id(event_id) + kFirstPersonId;
  const std::string_view first = kFirstNames[r.next_int(kFirstNames.size())];
  const std::string_view last = kLastNames[r.next_int(kLastNames.size())];
  SmallString user, domain;
  next_string(r, 7, ' ', user);
  next_string(r, 5, ' ', domain);
  char card[19];
  for (int i = 0; i < 4; ++i) {
    int v = r.next_int(10000);
    for (int d = 3; d >= 0; --d) {
      card[i * 5 + d] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    if (i < 3) card[i * 5 + 4] = ' ';
  }
  const std::string_view city = kCities[r.next_int(kCities.size())];
  const std::string_view state = kStates[r.next_int(kStates.size())];

  line += flink_shape_ ? "{\"event_type\":0,\"person\":{" : "{\"kind\":\"person\",";
  append_num(line, "\"id\":", id);
  line += ",\"name\":\"";
  line += first;
  line += ' ';
  line += last;
  line += "\",\"emailAddress\":\"";
  line += user.view();
  line += '@';
  line += domain.view();
  line += ".com\"";
  append_str(line, ",\"creditCard\":", std::string_view(card, sizeof card));
  append_str(line, ",\"city\":", city);
  append_str(line, ",\"state\":", state);
  append_num(line, ",\"dateTime\":", time);
  line += ",\"extra\":\"";
  if (options_.extra) {
    const int64_t size = 8 + static_cast<int64_t>(first.size() + 1 + last.size()) +
                         (user.size + 1 + domain.size + 4) + 19 +
                         static_cast<int64_t>(city.size() + state.size());
    append_extra(line, r, size, options_.avg_person_byte_size);
  }
  line += flink_shape_ ? "\"},\"auction\":null,\"bid\":null}\n" : "\"}\n";
}

void NexmarkGenerator::auction(std::string& line, uint64_t count, int64_t event_id, JavaRandom& r,
                               int64_t time) {
  const int64_t id = last_base0_auction_id(event_id) + kFirstAuctionId;
  int64_t seller;
  if (r.next_int(static_cast<int32_t>(options_.hot_sellers_ratio)) > 0) {
    seller = (last_base0_person_id(event_id) / kHotSellerRatio) * kHotSellerRatio;
  } else {
    seller = next_base0_person_id(event_id, r);
  }
  seller += kFirstPersonId;
  const int64_t category = kFirstCategoryId + r.next_int(kNumCategories);
  const int64_t initial_bid = next_price(r);
  // nextAuctionLengthMs: up to twice the time until num_in_flight_auctions more auctions.
  const auto group = static_cast<uint64_t>(options_.out_of_order_group_size);
  const uint64_t current = (count / group) * group + (count * 953) % group;
  const uint64_t ahead = static_cast<uint64_t>(options_.num_in_flight_auctions * total_proportion_ /
                                               options_.auction_proportion);
  const int64_t horizon = timestamp_for_event(current + ahead) - time;
  const int64_t expires = time + 1 + next_long(r, std::max<int64_t>(horizon * 2, 1));
  SmallString name, desc;
  next_string(r, 20, ' ', name);
  next_string(r, 100, ' ', desc);
  const int64_t reserve = initial_bid + next_price(r);

  line += flink_shape_ ? "{\"event_type\":1,\"person\":null,\"auction\":{" : "{\"kind\":\"auction\",";
  append_num(line, "\"id\":", id);
  append_str(line, ",\"itemName\":", name.view());
  append_str(line, ",\"description\":", desc.view());
  append_num(line, ",\"initialBid\":", initial_bid);
  append_num(line, ",\"reserve\":", reserve);
  append_num(line, ",\"dateTime\":", time);
  append_num(line, ",\"expires\":", expires);
  append_num(line, ",\"seller\":", seller);
  append_num(line, ",\"category\":", category);
  line += ",\"extra\":\"";
  if (options_.extra) {
    append_extra(line, r, 8 + name.size + desc.size + 40, options_.avg_auction_byte_size);
  }
  line += flink_shape_ ? "\"},\"bid\":null}\n" : "\"}\n";
}

void NexmarkGenerator::bid(std::string& line, int64_t event_id, JavaRandom& r, int64_t time) {
  int64_t auction;
  if (r.next_int(static_cast<int32_t>(options_.hot_auction_ratio)) > 0) {
    auction = (last_base0_auction_id(event_id) / kHotAuctionRatio) * kHotAuctionRatio;
  } else {
    auction = next_base0_auction_id(event_id, r);
  }
  auction += kFirstAuctionId;
  int64_t bidder;
  if (r.next_int(static_cast<int32_t>(options_.hot_bidders_ratio)) > 0) {
    bidder = (last_base0_person_id(event_id) / kHotBidderRatio) * kHotBidderRatio + 1;
  } else {
    bidder = next_base0_person_id(event_id, r);
  }
  bidder += kFirstPersonId;
  if (options_.flink_bidder_offset) bidder += kFirstPersonId;
  const int64_t price = next_price(r);
  int32_t hot = -1, channel = -1;
  if (r.next_int(kHotChannelsRatio) > 0) {
    hot = r.next_int(static_cast<int32_t>(kHotChannels.size()));
  } else {
    channel = r.next_int(kChannelsNumber);
  }

  line += flink_shape_ ? "{\"event_type\":2,\"person\":null,\"auction\":null,\"bid\":{"
                       : "{\"kind\":\"bid\",";
  append_num(line, "\"auction\":", auction);
  append_num(line, ",\"bidder\":", bidder);
  append_num(line, ",\"price\":", price);
  if (hot >= 0) {
    append_str(line, ",\"channel\":", kHotChannels[hot]);
    append_str(line, ",\"url\":", hot_urls_[hot]);
  } else {
    line += ",\"channel\":\"channel-";
    append_int(line, channel);
    line += "\",\"url\":\"";
    append_channel_url(line, channel);
    line += '"';
  }
  append_num(line, ",\"dateTime\":", time);
  line += ",\"extra\":\"";
  if (options_.extra) append_extra(line, r, 32, options_.avg_bid_byte_size);
  line += flink_shape_ ? "\"}}\n" : "\"}\n";
}

// BidGenerator.getNextChannelAndUrl: a base URL and, for 9 channels in 10, the channel's number
// with its bits reversed (Math.abs(Integer.reverse(n)), which stays negative for 2^31). Drawn
// from a Random seeded by the seed and the channel, so a channel always has the same URL.
void NexmarkGenerator::append_channel_url(std::string& line, int32_t channel) const {
  JavaRandom r(static_cast<int64_t>(mix(options_.seed ^ mix(static_cast<uint64_t>(channel)))));
  append_base_url(line, r);
  if (r.next_int(10) > 0) {
    line += "&channel_id=";
    const int32_t reversed = reverse_bits(static_cast<uint32_t>(channel));
    append_int(line, reversed == INT32_MIN ? reversed : (reversed < 0 ? -reversed : reversed));
  }
}

void NexmarkGenerator::save(StateWriter& out) const { out(count_); }

void NexmarkGenerator::load(StateReader& in) {
  uint64_t count = 0;
  in(count);
  count_ = count;
}

}  // namespace rivulet::io
