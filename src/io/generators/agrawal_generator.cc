#include "rivulet/io/generators/agrawal_generator.h"

#include <fmt/format.h>

#include <cmath>

#include "io/generators/json_line.h"
#include "rivulet/io/generators/generator_params.h"

namespace rivulet::io {
namespace {

// River's ten classification functions, in its order and with its comparisons (including the
// ranges of function 4 that salary never reaches).
int classify(int64_t function, double salary, double commission, int64_t age, int64_t elevel,
             double hvalue, int64_t hyears, double loan) {
  switch (function) {
    case 0:
      return (age < 40) || (60 <= age) ? 1 : 0;
    case 1:
      if (age < 40) return 50000 <= salary && salary <= 100000;
      if (age < 60) return 75000 <= salary && salary <= 125000;
      return 25000 <= salary && salary <= 75000;
    case 2:
      if (age < 40) return elevel == 0 || elevel == 1;
      if (age < 60) return elevel == 1 || elevel == 2 || elevel == 3;
      return elevel == 2 || elevel == 3 || elevel == 4;
    case 3:
      if (age < 40) {
        return (elevel == 0 || elevel == 1) ? (25000 <= salary && salary <= 75000)
                                            : (50000 <= salary && salary <= 100000);
      }
      if (age < 60) {
        return (elevel == 1 || elevel == 2 || elevel == 3) ? (50000 <= salary && salary <= 100000)
                                                           : (75000 <= salary && salary <= 125000);
      }
      return (elevel == 2 || elevel == 3 || elevel == 4) ? (50000 <= salary && salary <= 100000)
                                                         : (25000 <= salary && salary <= 75000);
    case 4:
      if (age < 40) {
        return (50000 <= salary && salary <= 100000) ? (100000 <= loan && loan <= 300000)
                                                     : (200000 <= salary && salary <= 400000);
      }
      if (age < 60) {
        return (75000 <= salary && salary <= 125000) ? (200000 <= salary && loan <= 400000)
                                                     : (300000 <= salary && salary <= 500000);
      }
      return (25000 <= salary && salary <= 75000) ? (300000 <= loan && loan <= 500000)
                                                  : (75000 <= loan && loan <= 300000);
    case 5: {
      const double total = salary + commission;
      if (age < 40) return 50000 <= total && total <= 100000;
      if (age < 60) return 75000 <= total && total <= 125000;
      return 25000 <= total && total <= 75000;
    }
    case 6: {
      const double disposable = 2 * (salary + commission) / 3 - loan / 5 - 20000;
      return disposable > 1 ? 0 : 1;
    }
    case 7: {
      const double disposable =
          2 * (salary + commission) / 3 - static_cast<double>(5000 * elevel) - 20000;
      return disposable > 1 ? 0 : 1;
    }
    case 8: {
      const double disposable =
          2 * (salary + commission) / 3 - static_cast<double>(5000 * elevel) - loan / 5 - 10000;
      return disposable > 1 ? 0 : 1;
    }
    default: {
      double equity = 0;
      if (hyears >= 20) equity = hvalue * static_cast<double>(hyears - 20) / 10;
      const double disposable =
          2 * (salary + commission) / 3 - static_cast<double>(5000 * elevel) + equity / 5 - 10000;
      return disposable > 1 ? 0 : 1;
    }
  }
}

}  // namespace

Result<std::unique_ptr<AgrawalGenerator>> AgrawalGenerator::create(const Options& o) {
  if (o.classification_function < 0 || o.classification_function > 9) {
    return Status::invalid_argument(fmt::format(
        "agrawal: classification_function must be in [0, 9] (got {})", o.classification_function));
  }
  if (o.seed > 0xffffffffu) {
    return Status::invalid_argument(fmt::format(
        "agrawal: seed must be below 2^32, as numpy's RandomState requires (got {})", o.seed));
  }
  if (!(o.perturbation >= 0.0 && o.perturbation <= 1.0)) {
    return Status::invalid_argument(
        fmt::format("agrawal: perturbation must be in [0, 1] (got {})", o.perturbation));
  }
  return std::unique_ptr<AgrawalGenerator>(new AgrawalGenerator(o));
}

Result<std::unique_ptr<Generator>> AgrawalGenerator::from_params(GeneratorParams& p) {
  Options o;
  o.classification_function =
      p.integer("classification_function", o.classification_function, "labelling function, 0 to 9");
  o.seed = p.seed("seed", "seed of numpy's RandomState");
  o.balance_classes = p.boolean("balance_classes", o.balance_classes, "alternate the classes");
  o.perturbation =
      p.number("perturbation", o.perturbation, "noise on numeric features, share of their range");
  RIVULET_RETURN_IF_ERROR(p.finish());
  RIVULET_ASSIGN_OR_RETURN(auto g, create(o));
  return std::unique_ptr<Generator>(std::move(g));
}

AgrawalGenerator::AgrawalGenerator(const Options& o)
    : options_(o), rng_(static_cast<uint32_t>(o.seed)) {}

std::string AgrawalGenerator::spec() const {
  return internal::SpecText("agrawal")
      .add("classification_function", options_.classification_function)
      .add("seed", options_.seed)
      .add("balance_classes", options_.balance_classes)
      .add("perturbation", options_.perturbation)
      .str();
}

double AgrawalGenerator::perturb(double value, double min, double max, double range) {
  value += range * (2 * (rng_.rand() - 0.5)) * options_.perturbation;
  if (value < min) {
    value = min;
  } else if (value > max) {
    value = max;
  }
  return value;
}

void AgrawalGenerator::emit(std::string& line) {
  double salary, commission, hvalue, loan;
  int64_t age, elevel, car, zipcode, hyears;
  int y;
  for (;;) {
    salary = 20000 + 130000 * rng_.rand();
    commission = salary >= 75000 ? 0.0 : 10000 + 75000 * rng_.rand();
    age = 20 + rng_.randint(61);
    elevel = rng_.randint(5);
    car = rng_.randint(20);
    zipcode = rng_.randint(9);
    hvalue = static_cast<double>((9 - zipcode) * 100000) * (0.5 + rng_.rand());
    hyears = 1 + rng_.randint(30);
    loan = rng_.rand() * 500000;
    y = classify(options_.classification_function, salary, commission, age, elevel, hvalue, hyears,
                 loan);
    if (!options_.balance_classes) break;
    if ((next_class_should_be_zero_ && y == 0) || (!next_class_should_be_zero_ && y == 1)) {
      next_class_should_be_zero_ = !next_class_should_be_zero_;
      break;
    }
  }
  if (options_.perturbation > 0.0) {
    salary = perturb(salary, 20000, 150000, 130000);
    if (commission > 0) commission = perturb(commission, 10000, 75000, 65000);
    // np.round: halves to even, as nearbyint in the default rounding mode.
    age = static_cast<int64_t>(std::nearbyint(perturb(static_cast<double>(age), 20, 80, 60)));
    hvalue = perturb(hvalue, static_cast<double>((9 - zipcode) * 100000), 0, 135000);
    hyears = static_cast<int64_t>(std::nearbyint(perturb(static_cast<double>(hyears), 1, 30, 29)));
    loan = perturb(loan, 0, 500000, 500000);
  }
  internal::JsonLine j(line);
  j.number("\"salary\":", salary)
      .number("\"commission\":", commission)
      .integer("\"age\":", age)
      .integer("\"elevel\":", elevel)
      .integer("\"car\":", car)
      .integer("\"zipcode\":", zipcode)
      .number("\"hvalue\":", hvalue)
      .integer("\"hyears\":", hyears)
      .number("\"loan\":", loan)
      .integer("\"y\":", y)
      .end();
}

void AgrawalGenerator::save(StateWriter& out) const { out(rng_, next_class_should_be_zero_); }

void AgrawalGenerator::load(StateReader& in) {
  NumpyRandomState rng;
  bool next_zero = false;
  in(rng, next_zero);
  rng_ = rng;
  next_class_should_be_zero_ = next_zero;
}

}  // namespace rivulet::io
