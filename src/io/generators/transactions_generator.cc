#include "rivulet/io/generators/transactions_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <span>

#include "io/generators/json_line.h"
#include "rivulet/io/generators/generator_params.h"

namespace rivulet::io {
namespace {

enum Channel : uint8_t { kOnline, kChip, kContactless, kSwipe };
constexpr std::array<std::string_view, 4> kChannelNames = {"online", "chip", "contactless",
                                                           "swipe"};

// Merchant categories: share of legitimate payments, median amount, spread of log(amount), and
// the share of each channel (online, chip, contactless, swipe).
struct Category {
  std::string_view name;
  double weight;
  double median;
  double sigma;
  std::array<double, 4> channels;
};
enum CategoryId : uint8_t {
  kGrocery,
  kRestaurant,
  kFuel,
  kPharmacy,
  kClothing,
  kElectronics,
  kTravel,
  kDigitalGoods,
  kEntertainment,
  kJewelry,
  kHomeImprovement,
  kHealth,
  kCategories
};
constexpr std::array<Category, kCategories> kCategoryTable = {{
    {"grocery", 0.21, 38.0, 0.6, {0.05, 0.40, 0.50, 0.05}},
    {"restaurant", 0.14, 32.0, 0.6, {0.10, 0.35, 0.50, 0.05}},
    {"fuel", 0.09, 48.0, 0.4, {0.00, 0.55, 0.37, 0.08}},
    {"pharmacy", 0.06, 22.0, 0.7, {0.10, 0.40, 0.46, 0.04}},
    {"clothing", 0.10, 65.0, 0.7, {0.40, 0.35, 0.22, 0.03}},
    {"electronics", 0.06, 190.0, 0.9, {0.55, 0.30, 0.12, 0.03}},
    {"travel", 0.05, 380.0, 0.8, {0.85, 0.10, 0.04, 0.01}},
    {"digital_goods", 0.10, 12.0, 0.8, {1.00, 0.00, 0.00, 0.00}},
    {"entertainment", 0.08, 30.0, 0.7, {0.50, 0.20, 0.28, 0.02}},
    {"jewelry", 0.02, 420.0, 0.9, {0.30, 0.55, 0.12, 0.03}},
    {"home_improvement", 0.06, 85.0, 0.8, {0.25, 0.45, 0.27, 0.03}},
    {"health", 0.03, 70.0, 0.7, {0.15, 0.50, 0.32, 0.03}},
}};

constexpr std::array<std::string_view, 10> kCountries = {"US", "GB", "DE", "FR", "ES",
                                                         "IT", "NL", "CA", "BR", "IN"};
constexpr std::array<double, 10> kCountryWeights = {0.35, 0.12, 0.12, 0.10, 0.07,
                                                    0.07, 0.05, 0.06, 0.03, 0.03};
constexpr size_t kCompromisedCards = 16;
constexpr double kHomeShare = 0.95;  // legitimate payments made in the card's home country

template <size_t N>
size_t pick(const std::array<double, N>& weights, double u) {
  double total = 0.0;
  for (double w : weights) total += w;
  double acc = 0.0;
  u *= total;
  for (size_t i = 0; i + 1 < N; ++i) {
    acc += weights[i];
    if (u < acc) return i;
  }
  return N - 1;
}

size_t pick_category(double u) {
  std::array<double, kCategories> w{};
  for (size_t i = 0; i < kCategories; ++i) w[i] = kCategoryTable[i].weight;
  return pick(w, u);
}

// Stateless per-card attributes, from a hash of the seed and the card: no table per card.
uint64_t mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
double unit(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

struct Card {
  size_t home;        // country index
  double multiplier;  // the card holder's spending level
};
Card card_profile(uint64_t seed, uint64_t card) {
  const uint64_t h1 = mix(seed ^ mix(card + 1));
  const uint64_t h2 = mix(h1);
  const uint64_t h3 = mix(h2);
  const double z =
      std::sqrt(-2.0 * std::log(1.0 - unit(h2))) * std::cos(6.283185307179586 * unit(h3));
  return {pick(kCountryWeights, unit(h1)), std::exp(0.35 * z)};
}

int digits(uint64_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

double cents(double amount) { return std::max(0.5, std::round(amount * 100.0) / 100.0); }

}  // namespace

Result<std::unique_ptr<TransactionsGenerator>> TransactionsGenerator::create(const Options& o) {
  auto bad = [](std::string what) { return Status::invalid_argument("transactions: " + what); };
  if (o.n_cards < 1 || o.n_cards > 1000000000) {
    return bad(fmt::format("n_cards must be in [1, 10^9] (got {})", o.n_cards));
  }
  if (o.n_merchants < kCategories || o.n_merchants > 100000000) {
    return bad(
        fmt::format("n_merchants must be in [{}, 10^8] (got {})", int{kCategories}, o.n_merchants));
  }
  if (!(o.payments_per_second > 0.0) || !std::isfinite(o.payments_per_second)) {
    return bad(fmt::format("payments_per_second must be > 0 (got {})", o.payments_per_second));
  }
  if (!(o.fraud_rate >= 0.0 && o.fraud_rate <= 1.0)) {
    return bad(fmt::format("fraud_rate must be in [0, 1] (got {})", o.fraud_rate));
  }
  if (o.drift_every < 0)
    return bad(fmt::format("drift_every must be >= 0 (got {})", o.drift_every));
  if (!(o.label_delay >= 0.0) || !std::isfinite(o.label_delay)) {
    return bad(fmt::format("label_delay must be >= 0 seconds (got {})", o.label_delay));
  }
  if (!(o.label_fraction >= 0.0 && o.label_fraction <= 1.0)) {
    return bad(fmt::format("label_fraction must be in [0, 1] (got {})", o.label_fraction));
  }
  if (!(o.out_of_order >= 0.0 && o.out_of_order <= 1.0)) {
    return bad(fmt::format("out_of_order must be in [0, 1] (got {})", o.out_of_order));
  }
  if (!(o.max_lateness >= 0.0) || !std::isfinite(o.max_lateness)) {
    return bad(fmt::format("max_lateness must be >= 0 seconds (got {})", o.max_lateness));
  }
  if (o.start_time < 0) return bad(fmt::format("start_time must be >= 0 (got {})", o.start_time));
  return std::unique_ptr<TransactionsGenerator>(new TransactionsGenerator(o));
}

Result<std::unique_ptr<Generator>> TransactionsGenerator::from_params(GeneratorParams& p) {
  Options o;
  o.n_cards = p.integer("n_cards", o.n_cards, "number of cards");
  o.n_merchants = p.integer("n_merchants", o.n_merchants, "number of merchants");
  o.payments_per_second =
      p.number("payments_per_second", o.payments_per_second, "payments per second of event time");
  o.fraud_rate = p.number("fraud_rate", o.fraud_rate, "share of payments that are fraud");
  o.drift_every = p.integer("drift_every", o.drift_every,
                            "payments per fraud pattern, cycling 0, 1, 2 (0: pattern 0 only)");
  o.label_delay =
      p.number("label_delay", o.label_delay, "mean delay of a label, seconds of event time");
  o.label_fraction =
      p.number("label_fraction", o.label_fraction, "share of payments whose label arrives");
  o.labels = p.boolean("labels", o.labels, "emit label events");
  o.inline_label = p.boolean("inline_label", o.inline_label, "write is_fraud on payments too");
  o.out_of_order =
      p.number("out_of_order", o.out_of_order, "share of payments with an earlier event_time");
  o.max_lateness = p.number("max_lateness", o.max_lateness, "how much earlier at most, seconds");
  o.start_time = p.integer("start_time", o.start_time, "event time of the start, epoch ms");
  o.seed = p.seed("seed", "random seed");
  RIVULET_RETURN_IF_ERROR(p.finish());
  RIVULET_ASSIGN_OR_RETURN(auto g, create(o));
  return std::unique_ptr<Generator>(std::move(g));
}

TransactionsGenerator::TransactionsGenerator(const Options& o) : options_(o) {
  card_width_ = digits(static_cast<uint64_t>(o.n_cards - 1));
  merchant_width_ = digits(static_cast<uint64_t>(o.n_merchants - 1));
  // Merchants: one per category first, then categories by their share of payments.
  merchants_by_category_.resize(kCategories);
  Random layout(mix(o.seed ^ 0x6d65726368616e74ULL));
  for (uint32_t m = 0; m < static_cast<uint32_t>(o.n_merchants); ++m) {
    const size_t c = m < kCategories ? m : pick_category(layout.uniform());
    merchants_by_category_[c].push_back(m);
  }
  s_.rng.reseed(o.seed);
  s_.compromised.resize(kCompromisedCards);
  for (auto& card : s_.compromised) card = s_.rng.below(static_cast<uint64_t>(o.n_cards));
  s_.next_clock = static_cast<double>(o.start_time) + gap();
  // Room for the labels waiting in steady state (about payments_per_second * label_delay), up
  // to 64k up front; beyond, the heap grows a few times, then stays.
  if (o.labels) {
    s_.pending.reserve(static_cast<size_t>(
        std::min(65536.0, 1.5 * o.payments_per_second * o.label_delay * o.label_fraction + 16.0)));
  }
}

std::string TransactionsGenerator::spec() const {
  const Options& o = options_;
  return internal::SpecText("transactions")
      .add("n_cards", o.n_cards)
      .add("n_merchants", o.n_merchants)
      .add("payments_per_second", o.payments_per_second)
      .add("fraud_rate", o.fraud_rate)
      .add("drift_every", o.drift_every)
      .add("label_delay", o.label_delay)
      .add("label_fraction", o.label_fraction)
      .add("labels", o.labels)
      .add("inline_label", o.inline_label)
      .add("out_of_order", o.out_of_order)
      .add("max_lateness", o.max_lateness)
      .add("start_time", o.start_time)
      .add("seed", o.seed)
      .str();
}

int TransactionsGenerator::pattern() const {
  if (options_.drift_every == 0) return 0;
  return static_cast<int>((s_.payments / static_cast<uint64_t>(options_.drift_every)) % 3);
}

double TransactionsGenerator::gap() {
  return -std::log(1.0 - s_.rng.uniform()) * 1000.0 / options_.payments_per_second;
}

namespace {
bool later(const auto& a, const auto& b) {
  return a.due > b.due || (a.due == b.due && a.transaction_id > b.transaction_id);
}
}  // namespace

void TransactionsGenerator::emit(std::string& line) {
  if (!s_.pending.empty() && s_.pending.front().due <= s_.next_clock) {
    std::pop_heap(s_.pending.begin(), s_.pending.end(),
                  [](const PendingLabel& a, const PendingLabel& b) { return later(a, b); });
    const PendingLabel label = s_.pending.back();
    s_.pending.pop_back();
    internal::JsonLine j(line);
    j.string("\"type\":", "label")
        .integer("\"transaction_id\":", static_cast<int64_t>(label.transaction_id))
        .boolean("\"is_fraud\":", label.is_fraud)
        .integer("\"event_time\":", std::llround(label.due))
        .end();
    return;
  }
  emit_payment(line);
}

void TransactionsGenerator::emit_payment(std::string& line) {
  Random& rng = s_.rng;
  const int active = pattern();
  const double clock = s_.next_clock;
  const uint64_t id = ++s_.payments;
  const bool fraud = rng.uniform() < options_.fraud_rate;
  const auto n_cards = static_cast<uint64_t>(options_.n_cards);

  uint64_t card;
  size_t category, channel, country;
  double amount;
  if (!fraud) {
    card = rng.below(n_cards);
    const Card profile = card_profile(options_.seed, card);
    category = pick_category(rng.uniform());
    const Category& c = kCategoryTable[category];
    amount = c.median * profile.multiplier * std::exp(c.sigma * rng.normal());
    channel = pick(c.channels, rng.uniform());
    country = rng.uniform() < kHomeShare ? profile.home : pick(kCountryWeights, rng.uniform());
  } else {
    // A few compromised cards at a time; now and then one is blocked and another is stolen.
    const size_t slot = rng.below(kCompromisedCards);
    if (rng.uniform() < 0.15) s_.compromised[slot] = rng.below(n_cards);
    card = s_.compromised[slot];
    const Card profile = card_profile(options_.seed, card);
    const double u = rng.uniform();
    switch (active) {
      case 0:  // card testing
        category = u < 0.7 ? kDigitalGoods : kEntertainment;
        amount = rng.uniform(0.5, 5.0);
        channel = kOnline;
        country = rng.below(kCountries.size());
        break;
      case 1:  // high value
        category = u < 0.6 ? kElectronics : u < 0.9 ? kJewelry : kTravel;
        amount = 950.0 * std::exp(0.5 * rng.normal());
        channel = pick(std::array<double, 4>{0.6, 0.25, 0.15, 0.0}, rng.uniform());
        country = rng.uniform() < 0.7 ? profile.home : rng.below(kCountries.size());
        break;
      default:  // skimming
        category = u < 0.5 ? kFuel : u < 0.8 ? kGrocery : kRestaurant;
        amount = std::clamp(160.0 * std::exp(0.4 * rng.normal()), 50.0, 500.0);
        channel = rng.uniform() < 0.85 ? kSwipe : kChip;
        country = rng.uniform() < 0.7 ? rng.below(kCountries.size()) : profile.home;
        break;
    }
  }
  const auto& merchants = merchants_by_category_[category];
  const uint32_t merchant = merchants[rng.below(merchants.size())];
  // Drawn whether or not they are used, so that turning labels or lateness off leaves the
  // payments unchanged.
  const bool labelled = rng.uniform() < options_.label_fraction;
  const double delay = options_.label_delay * 1000.0 * (0.5 + rng.uniform());
  const bool late = rng.uniform() < options_.out_of_order;
  const double lateness = rng.uniform() * options_.max_lateness * 1000.0;

  int64_t event_time = std::llround(clock);
  if (late) event_time -= std::llround(lateness);
  internal::JsonLine j(line);
  j.string("\"type\":", "payment")
      .integer("\"event_time\":", event_time)
      .integer("\"transaction_id\":", static_cast<int64_t>(id))
      .id("\"card_id\":", "c", card, card_width_)
      .id("\"merchant\":", "m", merchant, merchant_width_)
      .string("\"merchant_category\":", kCategoryTable[category].name)
      .string("\"country\":", kCountries[country])
      .number("\"amount\":", cents(amount))
      .string("\"channel\":", kChannelNames[channel]);
  if (options_.inline_label) j.boolean("\"is_fraud\":", fraud);
  j.end();

  if (options_.labels && labelled) {
    s_.pending.push_back({clock + delay, id, fraud});
    std::push_heap(s_.pending.begin(), s_.pending.end(),
                   [](const PendingLabel& a, const PendingLabel& b) { return later(a, b); });
  }
  s_.next_clock = clock + gap();
}

void TransactionsGenerator::save(StateWriter& out) const { out(s_); }

void TransactionsGenerator::load(StateReader& in) {
  State s;
  in(s);
  if (s.compromised.size() != kCompromisedCards) throw cereal::Exception("transactions: bad state");
  s.pending.reserve(s_.pending.capacity());
  s_ = std::move(s);
}

}  // namespace rivulet::io
