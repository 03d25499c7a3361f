#pragma once
/// Card payments with fraud, for fraud-detection pipelines: payments interleaved with the
/// chargeback (label) events that settle them later, and a fraud pattern that changes over time.
/// Our own design (docs/generators.md has the whole model and its drift points).
///
/// Payments arrive at `payments_per_second` (event time, exponential gaps). A share
/// `fraud_rate` of them is fraud, made on a few compromised cards at a time, in the current
/// pattern; the pattern changes every `drift_every` payments, cycling through
///   0 "card testing": tiny online amounts at digital-goods and entertainment merchants, from
///     anywhere in the world;
///   1 "high value": large amounts at electronics, jewelry and travel merchants, mostly online;
///   2 "skimming": magnetic-stripe (`swipe`) payments of 50 to 500 at fuel, grocery and
///     restaurant merchants, mostly abroad;
/// so a model trained on one pattern misses the next (concept drift at payments drift_every,
/// 2 * drift_every, ...). Legitimate payments follow each category's amounts and channels and
/// mostly happen in the card's home country.
///
/// Each payment's label arrives `label_delay` seconds later on average (from half to one and a
/// half times that), as its own event, for a share `label_fraction` of payments (the others
/// never get one); label events come out in event-time order between the payments. A payment's
/// event_time is its arrival time in ms, except that a share `out_of_order` of them carries a time
/// up to `max_lateness` seconds earlier (late events).
///
/// Emits, in one stream:
///   `{"type":"payment","event_time":1700000000012,"transaction_id":1,"card_id":"c0042",
///     "merchant":"m0007","merchant_category":"grocery","country":"US","amount":23.5,
///     "channel":"contactless","is_fraud":false}` (is_fraud only with inline_label)
///   `{"type":"label","transaction_id":1,"is_fraud":false,"event_time":1700000061234}`
///   (only with labels).
/// Turning labels or inline_label off changes nothing else: the payments are the same.
/// Thread safety: none.
/// ```cpp example
/// auto tx = rivulet::io::TransactionsGenerator::create({.label_delay = 1.0, .seed = 7}).value();
/// std::string line;
/// for (int i = 0; i < 1000; ++i) tx->next(line);
/// EXPECT_NE(line.find("{\"type\":\"payment\",\"event_time\":"), std::string::npos);
/// EXPECT_NE(line.find("{\"type\":\"label\",\"transaction_id\":"), std::string::npos);
/// ```

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rivulet/core/random.h"
#include "rivulet/io/generators/generator.h"

namespace rivulet::io {

class TransactionsGenerator final : public Generator {
 public:
  struct Options {
    int64_t n_cards = 10000;             ///< REQUIRES: in [1, 10^9].
    int64_t n_merchants = 2000;          ///< REQUIRES: in [12, 10^8] (one per category at least).
    double payments_per_second = 100.0;  ///< Event-time rate of payments. REQUIRES: > 0.
    double fraud_rate = 0.01;            ///< Share of payments that are fraud. REQUIRES: in [0, 1].
    int64_t drift_every =
        50000;                  ///< Payments per fraud pattern; 0 keeps pattern 0. REQUIRES: >= 0.
    double label_delay = 60.0;  ///< Mean delay of a label, seconds of event time. REQUIRES: >= 0.
    double label_fraction = 1.0;  ///< Share of payments whose label arrives. REQUIRES: in [0, 1].
    bool labels = true;           ///< Emit the label events.
    bool inline_label = true;     ///< Write is_fraud on the payment itself too.
    double out_of_order =
        0.01;  ///< Share of payments with an earlier event_time. REQUIRES: in [0, 1].
    double max_lateness = 5.0;           ///< How much earlier at most, seconds. REQUIRES: >= 0.
    int64_t start_time = 1700000000000;  ///< Event time of the start, epoch ms. REQUIRES: >= 0.
    uint64_t seed = 42;
  };
  /// Errors: kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<TransactionsGenerator>> create(const Options& options);
  static Result<std::unique_ptr<Generator>> from_params(GeneratorParams& p);

  std::string_view kind() const override { return "transactions"; }
  std::string spec() const override;
  /// The fraud pattern of the next payment (0, 1 or 2).
  int pattern() const;

 private:
  struct PendingLabel {
    double due;
    uint64_t transaction_id;
    bool is_fraud;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(due, transaction_id, is_fraud);
    }
  };
  struct State {
    Random rng;
    double next_clock = 0.0;  // arrival time of the next payment, ms
    uint64_t payments = 0;
    std::vector<uint64_t> compromised;
    std::vector<PendingLabel> pending;  // min-heap on (due, transaction_id)
    template <class Archive>
    void serialize(Archive& ar) {
      ar(rng, next_clock, payments, compromised, pending);
    }
  };

  explicit TransactionsGenerator(const Options& options);
  void emit(std::string& line) override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void emit_payment(std::string& line);
  double gap();

  Options options_;
  std::vector<std::vector<uint32_t>> merchants_by_category_;
  int card_width_ = 1, merchant_width_ = 1;
  State s_;
};

}  // namespace rivulet::io
