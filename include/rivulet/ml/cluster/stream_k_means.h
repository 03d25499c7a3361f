#pragma once
/// River 0.12.1's `cluster.STREAMKMeans(chunk_size=10, n_clusters=2, **kwargs)` (O'Callaghan et
/// al.'s STREAM with incremental k-means for LSEARCH): samples are kept in a chunk of
/// `chunk_size`; when the chunk is full, a fresh cluster.KMeans learns its samples in order and
/// the main cluster.KMeans then learns that k-means' centers, one by one. predict_one gives the
/// main k-means' closest center by squared Euclidean distance (River's
/// `utils.math.minkowski_distance(center, x, 2)`: a feature absent from either side counts as 0),
/// the first one on ties; before the first chunk completes every center is empty, so it is 0.
/// `halflife`, `mu`, `sigma`, `p` and `seed` are the KMeans parameters River passes through
/// `**kwargs`. Every k-means, the main one and each chunk's, starts from random.Random(seed) as
/// in River when a seed is given, so that its coordinates match River's (see k_means.h).
/// Default seed: the model's `--seed`, else 42.
/// Thread safety: none.
/// Reference: L. O'Callaghan et al., "Streaming-data algorithms for high-quality clustering",
/// ICDE 2002.
/// ```cpp example
/// // River's docstring: STREAMKMeans(chunk_size=3, n_clusters=2, halflife=0.5, sigma=1.5, seed=0)
/// auto model = rivulet::ml::STREAMKMeans::create(
///     {.chunk_size = 3, .k_means = {.n_clusters = 2, .halflife = 0.5, .sigma = 1.5, .seed = 0}})
///     .value();
/// const double points[12][2] = {{1, 0.5}, {1, 0.625}, {1, 0.75}, {1, 1.125}, {1, 1.5}, {1, 1.75},
///                               {4, 1.5}, {4, 2.25}, {4, 2.5}, {4, 3}, {4, 3.25}, {4, 3.5}};
/// for (const auto& p : points) model->learn_one(rivulet::Features{{0, p[0]}, {1, p[1]}});
/// // River 0.12.1's code gives 0 and 1 (the docstring's 1 and 0 predate its KMeans).
/// EXPECT_EQ(model->predict_one(rivulet::Features{{0, 1.0}, {1, 0.0}}), 0);
/// EXPECT_EQ(model->predict_one(rivulet::Features{{0, 5.0}, {1, 2.0}}), 1);
/// ```

#include <cstdint>
#include <memory>
#include <vector>

#include "rivulet/ml/cluster/k_means.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class STREAMKMeans final : public Clusterer {
 public:
  struct Options {
    int chunk_size = 10;                          ///< Samples per chunk. REQUIRES: >= 1.
    KMeans::Options k_means = {.n_clusters = 2};  ///< n_clusters (default 2) and **kwargs.
  };
  /// Returns kInvalidArgument if a REQUIRES clause (here or of KMeans::Options) fails.
  static Result<std::unique_ptr<STREAMKMeans>> create(const Options& options);
  static Result<std::unique_ptr<STREAMKMeans>> from_params(Params& p);

  std::string_view name() const override { return "cluster.STREAMKMeans"; }
  void attach(const ModelContext& context) override;
  void learn_one(const Features& x) override;
  int predict_one(const Features& x) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;

  /// The main k-means, whose centers predict_one reads.
  const KMeans& k_means() const { return main_; }

  explicit STREAMKMeans(const Options& options);

 private:
  Options options_;
  KMeans main_;
  KMeans chunk_k_means_;  // rebuilt (reset) for each full chunk
  uint64_t time_stamp_ = 0;
  std::vector<Features> chunk_;  // the samples of the current chunk, in order
  size_t chunk_used_ = 0;
  Features center_;  // scratch
  mutable std::vector<double> x_dense_;
  mutable std::vector<uint8_t> x_has_;
};

}  // namespace rivulet::ml
