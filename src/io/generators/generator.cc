#include "rivulet/io/generators/generator.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <array>
#include <sstream>

#include "rivulet/io/generators/agrawal_generator.h"
#include "rivulet/io/generators/concept_drift_generator.h"
#include "rivulet/io/generators/generator_params.h"
#include "rivulet/io/generators/hyperplane_generator.h"
#include "rivulet/io/generators/nexmark_generator.h"
#include "rivulet/io/generators/random_rbf_generator.h"
#include "rivulet/io/generators/sea_generator.h"
#include "rivulet/io/generators/sensors_generator.h"
#include "rivulet/io/generators/transactions_generator.h"

namespace rivulet::io {
namespace {

// The registry: one line per kind.
const std::array<GeneratorKind, 8> kKinds = {{
    {"sea", "synth.SEA", "SEA: 3 uniform features, label x0 + x1 > threshold of the variant",
     "x0, x1, x2 (float), y (bool)", &SeaGenerator::from_params},
    {"hyperplane", "synth.Hyperplane",
     "rotating hyperplane: label of sum(w x) >= sum(w)/2, weights drift by mag_change",
     "x0 .. x<n_features-1> (float), y (0/1)", &HyperplaneGenerator::from_params},
    {"agrawal", "synth.Agrawal", "Agrawal's loan applications, 10 classification functions",
     "salary, commission, hvalue, loan (float), age, elevel, car, zipcode, hyears (int), y (0/1)",
     &AgrawalGenerator::from_params},
    {"rbf", "synth.RandomRBFDrift",
     "random radial basis functions; centroids move with change_speed (RandomRBF when 0)",
     "x0 .. x<n_features-1> (float), y (class, int)", &RandomRbfGenerator::from_params},
    {"transactions", "",
     "card payments with a fraud pattern that changes over time and chargeback labels arriving "
     "later",
     "payments: type, event_time, transaction_id, card_id, merchant, merchant_category, country, "
     "amount, channel, is_fraud; labels: type, event_time, transaction_id, is_fraud",
     &TransactionsGenerator::from_params},
    {"sensors", "", "machine readings with drifting wear and failures",
     "machine_id, event_time, temperature, vibration, pressure, rpm, failure_within_24h",
     &SensorsGenerator::from_params},
    {"concept_drift", "synth.ConceptDriftStream",
     "stream, then drift_stream (nested specs), mixed by a sigmoid around position (gradual drift)",
     "those of stream (drift_stream must emit the same)", &ConceptDriftGenerator::from_params},
    {"nexmark", "", "Nexmark auctions: people, auctions and bids 1:3:46, as the reference generator",
     "kind; person: id, name, emailAddress, creditCard, city, state, dateTime, extra; auction: id, "
     "itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra; bid: "
     "auction, bidder, price, channel, url, dateTime, extra", &NexmarkGenerator::from_params},
}};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string kind_list() {
  std::string names;
  for (const auto& k : kKinds) {
    if (!names.empty()) names += ", ";
    names += k.name;
  }
  return names;
}

}  // namespace

std::span<const GeneratorKind> generator_kinds() { return kKinds; }

const GeneratorKind* find_generator_kind(std::string_view name) {
  for (std::string_view prefix : {"datasets.synth.", "synth."}) {
    if (name.size() > prefix.size() && iequals(name.substr(0, prefix.size()), prefix)) {
      name.remove_prefix(prefix.size());
      break;
    }
  }
  for (const auto& k : kKinds) {
    std::string_view river = k.river_name;
    if (river.starts_with("synth.")) river.remove_prefix(6);
    if (iequals(name, k.name) || (!river.empty() && iequals(name, river))) return &k;
  }
  // River's RandomRBF (without drift) is RandomRBFDrift with change_speed = 0.
  if (iequals(name, "RandomRBF")) return find_generator_kind("rbf");
  return nullptr;
}

std::vector<GeneratorParamInfo> describe_generator(const GeneratorKind& kind) {
  GeneratorParams p = GeneratorParams::describe_mode();
  p.set_kind(std::string(kind.name));
  (void)kind.factory(p);
  return p.infos();
}

Result<std::unique_ptr<Generator>> Generator::create(std::string_view spec, uint64_t seed,
                                                     std::span<const std::string> overrides) {
  RIVULET_ASSIGN_OR_RETURN(GeneratorParams params, GeneratorParams::parse(spec, seed));
  const GeneratorKind* kind = find_generator_kind(params.kind());
  if (kind == nullptr) {
    return Status::invalid_argument(
        fmt::format("unknown generator '{}': valid kinds are {}", params.kind(), kind_list()));
  }
  params.set_kind(std::string(kind->name));
  for (const std::string& assignment : overrides) RIVULET_RETURN_IF_ERROR(params.set(assignment));
  return kind->factory(params);
}

void Generator::skip(uint64_t n) {
  std::string scratch;
  for (uint64_t i = 0; i < n; ++i) {
    scratch.clear();
    next(scratch);
  }
}

// A state is an envelope, "RVGEN001", the payload's size and its XXH3 hash (both 64-bit little
// endian), then the payload in cereal's portable binary: the canonical spec, the position and the
// generator's own state. The envelope is checked before cereal reads anything, so corrupt bytes
// never reach it (a flipped length prefix would otherwise ask for petabytes).
namespace {
constexpr std::string_view kStateMagic = "RVGEN001";
constexpr size_t kEnvelopeBytes = 8 + 8 + 8;

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
uint64_t get_u64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return v;
}
}  // namespace

std::string Generator::save_state() const {
  std::ostringstream os;
  {
    StateWriter out(os);
    out(spec(), position_);
    save(out);
  }
  const std::string payload = std::move(os).str();
  std::string bytes(kStateMagic);
  put_u64(bytes, payload.size());
  put_u64(bytes, XXH3_64bits(payload.data(), payload.size()));
  bytes += payload;
  return bytes;
}

Status Generator::load_state(std::string_view bytes) {
  if (bytes.size() < kEnvelopeBytes || bytes.substr(0, kStateMagic.size()) != kStateMagic) {
    return Status::data_loss("generator state: not a generator state (bad header)");
  }
  const std::string_view payload = bytes.substr(kEnvelopeBytes);
  if (get_u64(bytes.substr(8)) != payload.size() ||
      get_u64(bytes.substr(16)) != XXH3_64bits(payload.data(), payload.size())) {
    return Status::data_loss("generator state: truncated or corrupt (size or checksum mismatch)");
  }
  std::istringstream is{std::string(payload)};
  try {
    StateReader in(is);
    std::string saved_spec;
    uint64_t position = 0;
    in(saved_spec, position);
    if (saved_spec != spec()) {
      return Status::invalid_argument(
          fmt::format("generator state was saved by {}, this generator is {}", saved_spec, spec()));
    }
    load(in);
    position_ = position;
  } catch (const std::exception& e) {
    return Status::data_loss(fmt::format("generator state: unreadable ({})", e.what()));
  }
  return Status::ok_status();
}

}  // namespace rivulet::io
