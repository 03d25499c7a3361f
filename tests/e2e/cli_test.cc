// End-to-end runs of the rivulet binary: River parity figures through `rivulet eval`, the
// commands' outputs, and one clear error line with a non-zero status for every mistake a user
// can make.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "support/cli_run.h"

namespace {

using rivulet::test_support::CliRun;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("rivulet_cli_test_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

CliRun run(const std::string& args) {
  return rivulet::test_support::run_cli(args, temp_path("stderr"));
}

std::string data(const std::string& rel) { return std::string(RIVULET_DATA_DIR) + "/" + rel; }

double json_number(const std::string& json, const std::string& key) {
  std::smatch m;
  const std::regex re("\"" + key + "\": ([-0-9.eE+]+)");
  if (!std::regex_search(json, m, re)) return -1.0;
  return std::stod(m[1]);
}

double eval_metric(const std::string& file, const std::string& target, const std::string& spec,
                   const std::string& metric) {
  CliRun r = run("eval " + data(file) + " --target " + target + " --model '" + spec + "' --metric " + metric +
              " --json --quiet");
  EXPECT_EQ(r.status, 0) << r.err;
  return json_number(r.out, metric);
}

// River 0.12.1, progressive_val_score with default parameters (issue #2's table).
TEST(CliRiverParityTest, PhishingLogisticRegression) {
  EXPECT_NEAR(eval_metric("river/phishing.csv.gz", "is_phishing",
                          "preprocessing.StandardScaler | linear_model.LogisticRegression", "Accuracy"),
              0.8920, 0.003);
}

TEST(CliRiverParityTest, PhishingGaussianNB) {
  EXPECT_NEAR(eval_metric("river/phishing.csv.gz", "is_phishing", "naive_bayes.GaussianNB", "Accuracy"), 0.8847,
              0.003);
}

TEST(CliRiverParityTest, ImageSegmentsGaussianNB) {
  EXPECT_NEAR(eval_metric("river/segment.csv.gz", "category", "naive_bayes.GaussianNB", "Accuracy"), 0.7319, 0.003);
}

TEST(CliRiverParityTest, BananasLogisticRegression) {
  EXPECT_NEAR(eval_metric("river/banana.libsvm.gz", "label",
                          "preprocessing.StandardScaler | linear_model.LogisticRegression", "Accuracy"),
              0.5374, 0.003);
}

TEST(CliRiverParityTest, BananasGaussianNB) {
  EXPECT_NEAR(eval_metric("river/banana.libsvm.gz", "label", "naive_bayes.GaussianNB", "Accuracy"), 0.6152, 0.003);
}

TEST(CliRiverParityTest, ChickWeightsLinearRegression) {
  EXPECT_NEAR(eval_metric("river/chick-weights.csv", "weight",
                          "preprocessing.StandardScaler | linear_model.LinearRegression", "MAE"),
              23.99, 23.99 * 0.01);
}

TEST(CliRiverParityTest, TrumpApprovalLinearRegression) {
  EXPECT_NEAR(eval_metric("river/trump_approval.csv.gz", "five_thirty_eight",
                          "preprocessing.StandardScaler | linear_model.LinearRegression", "MAE"),
              1.347, 1.347 * 0.01);
}

// River's published Electricity table (45,312 rows).
TEST(CliRiverParityTest, ElectricityLogisticRegressionGaussianNBNoChange) {
  const std::string elec = "electricity/elecNormNew.arff.gz";
  EXPECT_NEAR(eval_metric(elec, "class",
                          "preprocessing.StandardScaler | linear_model.LogisticRegression(optimizer=optim.SGD(0.005))",
                          "Accuracy"),
              0.8221, 0.003);
  EXPECT_NEAR(eval_metric(elec, "class", "naive_bayes.GaussianNB", "Accuracy"), 0.7287, 0.003);
  EXPECT_NEAR(eval_metric(elec, "class", "dummy.NoChangeClassifier", "Accuracy"), 0.8533, 0.003);
}

TEST(CliTest, DelayedLabelsStillLearnEverySample) {
  const std::string args = " --target is_phishing --model naive_bayes.GaussianNB --json --quiet --save ";
  const std::string now = temp_path("now.rvm"), later = temp_path("later.rvm");
  CliRun a = run("eval " + data("river/phishing.csv.gz") + args + now);
  CliRun b = run("eval " + data("river/phishing.csv.gz") + args + later + " --delay 100");
  ASSERT_EQ(a.status, 0) << a.err;
  ASSERT_EQ(b.status, 0) << b.err;
  // Predictions made 100 rows before their label is learned score lower, and the first 100 rows
  // cannot be scored at all (the model has learned nothing yet).
  EXPECT_LT(json_number(b.out, "Accuracy"), json_number(a.out, "Accuracy"));
  EXPECT_NE(run("inspect " + later).out.find("learned  1250 samples"), std::string::npos);
  std::filesystem::remove(now);
  std::filesystem::remove(later);
}

TEST(CliTest, EvalJsonSummaryHasTheDocumentedFields) {
  CliRun r = run("eval " + data("river/phishing.csv.gz") +
              " --target is_phishing --model naive_bayes.GaussianNB --json --quiet");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json_number(r.out, "samples"), 1250);
  EXPECT_GE(json_number(r.out, "seconds"), 0.0);
  EXPECT_NE(r.out.find("\"model\": \"naive_bayes.GaussianNB\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"metrics\": {\"Accuracy\": 0.884"), std::string::npos) << r.out;
}

TEST(CliTest, EvalReadableSummary) {
  CliRun r = run("eval " + data("river/phishing.csv.gz") + " --target is_phishing --model naive_bayes.GaussianNB");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("samples  1250"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Accuracy: 0.884708"), std::string::npos) << r.out;
}

TEST(CliTest, SaveInspectPredictRoundTrip) {
  const std::string model = temp_path("model.rvm");
  CliRun r = run("eval " + data("river/phishing.csv.gz") +
              " --target is_phishing --model 'preprocessing.StandardScaler | linear_model.LogisticRegression' --quiet"
              " --save " + model);
  ASSERT_EQ(r.status, 0) << r.err;
  CliRun inspect = run("inspect " + model);
  ASSERT_EQ(inspect.status, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("learned  1250 samples"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("target   is_phishing"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("classes  1 (positive), 0"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("weight[popup_window]"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("mean[https]"), std::string::npos) << inspect.out;

  CliRun predict = run("predict --model " + model + " " + data("river/phishing.csv.gz"));
  ASSERT_EQ(predict.status, 0) << predict.err;
  EXPECT_EQ(std::count(predict.out.begin(), predict.out.end(), '\n'), 1250);
  EXPECT_EQ(predict.out.rfind("{\"line\": 2, \"prediction\": \"", 0), 0u) << predict.out.substr(0, 200);

  CliRun csv = run("predict --model " + model + " --output csv " + data("river/phishing.csv.gz"));
  ASSERT_EQ(csv.status, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("line,prediction,probability\n2,", 0), 0u) << csv.out.substr(0, 200);
  std::filesystem::remove(model);
}

TEST(CliTest, ModelsListsRegistryWithParameters) {
  CliRun r = run("models");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("linear_model.LogisticRegression"), std::string::npos);
  EXPECT_NE(r.out.find("optimizer: optimizer = optim.SGD(0.01)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("l2: float = 0"), std::string::npos);
  EXPECT_NE(r.out.find("metrics.Accuracy"), std::string::npos);
  CliRun bad = run("models --kind nonsense");
  EXPECT_EQ(bad.status, 1);
}

// Every error a user can cause: one line on stderr naming the problem, exit status 1.
void expect_one_line_error(const std::string& args, const std::string& needle) {
  CliRun r = run(args);
  EXPECT_NE(r.status, 0) << args;
  EXPECT_NE(r.err.find(needle), std::string::npos) << args << "\nstderr: " << r.err;
  EXPECT_EQ(r.err.rfind("rivulet: ", 0), 0u) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CliTest, MissingFileIsOneClearError) {
  expect_one_line_error("eval /nonexistent/x.csv --target y --model naive_bayes.GaussianNB", "no such file");
}

TEST(CliTest, UnknownColumnListsTheColumns) {
  expect_one_line_error("eval " + data("river/phishing.csv.gz") + " --target nope --model naive_bayes.GaussianNB",
                        "no column 'nope' (columns: empty_server_form_handler");
}

TEST(CliTest, BadSpecNamesTheColumn) {
  expect_one_line_error("eval " + data("river/phishing.csv.gz") +
                            " --target is_phishing --model 'linear_model.LogisticRegression(l2=)'",
                        "column 36");
  expect_one_line_error("eval " + data("river/phishing.csv.gz") +
                            " --target is_phishing --model 'linear_model.LogisticRegresion'",
                        "unknown estimator 'linear_model.LogisticRegresion'");
  expect_one_line_error("eval " + data("river/phishing.csv.gz") +
                            " --target is_phishing --model 'linear_model.LogisticRegression(l3=1)'",
                        "unknown parameter 'l3'");
  expect_one_line_error("eval " + data("river/phishing.csv.gz") +
                            " --target is_phishing --model 'linear_model.LogisticRegression(l2=-1)'",
                        "l2 must be >= 0");
  expect_one_line_error(
      "eval " + data("river/phishing.csv.gz") +
          " --target is_phishing --model 'preprocessing.StandardScaler'",
      "the last step must be a classifier, a regressor, an anomaly detector or a clusterer");
}

TEST(CliTest, WrongTaskForTheData) {
  expect_one_line_error("eval " + data("river/segment.csv.gz") +
                            " --target category --model 'preprocessing.StandardScaler | linear_model.LinearRegression'",
                        "holds text");
  expect_one_line_error("eval " + data("river/phishing.csv.gz") +
                            " --target is_phishing --model naive_bayes.GaussianNB --metric MAE",
                        "is a regression metric but the model is a classifier");
}

TEST(CliTest, MalformedRowsAreSkippedAndCountedOrStopStrict) {
  const std::string path = temp_path("bad.csv");
  {
    std::ofstream f(path);
    f << "a,b,y\n1,2,x\n1,2\n3,4\"z,x\n2,3,x\n4,5,z\n";
  }
  CliRun r = run("eval " + path + " --target y --model naive_bayes.GaussianNB --json");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json_number(r.out, "samples"), 3);
  EXPECT_EQ(json_number(r.out, "skipped"), 2);
  EXPECT_NE(r.err.find(path + ":4: quote inside an unquoted field"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(path + ":3: expected 3 fields as in the header, got 2"), std::string::npos) << r.err;
  CliRun strict = run("eval " + path + " --target y --model naive_bayes.GaussianNB --strict");
  EXPECT_EQ(strict.status, 1);
  EXPECT_NE(strict.err.find(path + ":3:"), std::string::npos) << strict.err;
  std::filesystem::remove(path);
}

TEST(CliTest, BadOptionValuesAreOneClearError) {
  const std::string phishing = data("river/phishing.csv.gz");
  expect_one_line_error("eval " + phishing + " --target is_phishing --model naive_bayes.GaussianNB --format xml",
                        "unknown format 'xml' (valid: auto, csv, arff, libsvm, jsonl)");
  expect_one_line_error("eval " + phishing + " --target is_phishing --model naive_bayes.GaussianNB --metric Acuracy",
                        "--metric Acuracy: model spec, column 1: unknown metric 'Acuracy'");
  expect_one_line_error("eval " + phishing +
                            " --target is_phishing --model naive_bayes.GaussianNB --save /nonexistent/dir/m.rvm",
                        "/nonexistent/dir/m.rvm.tmp: cannot write");
  const std::string model = temp_path("opt.rvm");
  ASSERT_EQ(run("eval " + phishing + " --target is_phishing --model naive_bayes.GaussianNB -q --save " + model).status, 0);
  expect_one_line_error("predict --model " + model + " --output xml " + phishing,
                        "--output xml: valid values are jsonl and csv");
  std::filesystem::remove(model);
}

TEST(CliTest, NonNumericRegressionTargetAfterGoodRowsIsSkippedAndCounted) {
  const std::string path = temp_path("reg.csv");
  {
    std::ofstream f(path);
    f << "x,y\n1,2\n2,4\n3,n/a\n4,8\n";
  }
  CliRun r = run("eval " + path + " --target y --model linear_model.LinearRegression --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json_number(r.out, "samples"), 3);
  EXPECT_EQ(json_number(r.out, "skipped"), 1);
  EXPECT_NE(r.err.find(path + ":4: target 'y' is not a number: 'n/a'"), std::string::npos) << r.err;
  CliRun strict = run("eval " + path + " --target y --model linear_model.LinearRegression --strict");
  EXPECT_EQ(strict.status, 1);
  EXPECT_NE(strict.err.find(path + ":4: target 'y' is not a number"), std::string::npos) << strict.err;
  std::filesystem::remove(path);
}

// Anomaly detection: score then learn each row; the label only reaches the metrics (ROCAUC by
// default). Half-space trees reproduce River's scores exactly, so this ROCAUC is River's too.
TEST(CliTest, AnomalyEvalScoresAgainstTheLabel) {
  const std::string model = temp_path("anomaly.rvm");
  CliRun r = run(
      "eval " + data("river/phishing.csv.gz") +
      " --target is_phishing --model 'preprocessing.MinMaxScaler | anomaly.HalfSpaceTrees(seed=42)'"
      " --json --quiet --save " +
      model);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json_number(r.out, "samples"), 1250);
  EXPECT_NEAR(json_number(r.out, "ROCAUC"), 0.489602, 1e-6) << r.out;
  EXPECT_EQ(json_number(r.out, "anomalous_labels"), 548) << r.out;
  EXPECT_EQ(r.out.find("\"anomalies\""), std::string::npos) << "no filter, no decisions: " << r.out;

  CliRun inspect = run("inspect " + model);
  ASSERT_EQ(inspect.status, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("task     anomaly detection"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("10 of height 8"), std::string::npos) << inspect.out;

  CliRun predict = run("predict --model " + model + " " + data("river/phishing.csv.gz"));
  ASSERT_EQ(predict.status, 0) << predict.err;
  EXPECT_EQ(std::count(predict.out.begin(), predict.out.end(), '\n'), 1250);
  EXPECT_EQ(predict.out.rfind("{\"line\": 2, \"score\": ", 0), 0u) << predict.out.substr(0, 200);
  CliRun csv = run("predict --model " + model + " --output csv " + data("river/phishing.csv.gz"));
  ASSERT_EQ(csv.status, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("line,score\n2,", 0), 0u) << csv.out.substr(0, 200);
  std::filesystem::remove(model);
}

TEST(CliTest, AnomalyFilterEvalAndPredictGiveDecisions) {
  const std::string spec =
      "'preprocessing.MinMaxScaler | anomaly.QuantileFilter(anomaly.HalfSpaceTrees(seed=42), "
      "q=0.95)'";
  const std::string model = temp_path("filter.rvm");
  CliRun r = run("eval " + data("river/phishing.csv.gz") + " --target is_phishing --model " + spec +
                 " --metric ROCAUC --metric F1 --json --quiet --save " + model);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_GE(json_number(r.out, "F1"), 0.0) << r.out;
  EXPECT_GT(json_number(r.out, "anomalies"), 0) << r.out;
  CliRun predict = run("predict --model " + model + " " + data("river/phishing.csv.gz"));
  ASSERT_EQ(predict.status, 0) << predict.err;
  EXPECT_NE(predict.out.find("\"anomaly\": "), std::string::npos) << predict.out.substr(0, 200);
  CliRun csv = run("predict --model " + model + " -o csv --learn " + data("river/phishing.csv.gz"));
  ASSERT_EQ(csv.status, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("line,score,anomaly\n2,", 0), 0u) << csv.out.substr(0, 200);
  // Without a label: the score summary and the decisions' count.
  CliRun unlabeled = run("eval " + data("river/phishing.csv.gz") + " --model " + spec);
  ASSERT_EQ(unlabeled.status, 0) << unlabeled.err;
  EXPECT_NE(unlabeled.out.find("(no target, anomaly detection)"), std::string::npos)
      << unlabeled.out;
  EXPECT_NE(unlabeled.out.find("flagged  "), std::string::npos) << unlabeled.out;
  std::filesystem::remove(model);
}

TEST(CliTest, ClusterEvalReportsSizesAndPurity) {
  CliRun r = run("eval " + data("river/phishing.csv.gz") +
                 " --target is_phishing --model 'cluster.KMeans(n_clusters=2)' --json --quiet");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"clusters\": {\"0\": 819, \"1\": 431}"), std::string::npos) << r.out;
  EXPECT_NEAR(json_number(r.out, "purity"), 0.5616, 1e-4) << r.out;
  CliRun text = run("eval " + data("river/phishing.csv.gz") + " --model cluster.STREAMKMeans");
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("(no target, clustering)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("clusters 2 non-empty"), std::string::npos) << text.out;

  const std::string model = temp_path("kmeans.rvm");
  ASSERT_EQ(run("eval " + data("river/phishing.csv.gz") +
                " --target is_phishing -m cluster.KMeans -q --save " + model)
                .status,
            0);
  CliRun predict = run("predict --model " + model + " " + data("river/phishing.csv.gz"));
  ASSERT_EQ(predict.status, 0) << predict.err;
  EXPECT_EQ(predict.out.rfind("{\"line\": 2, \"cluster\": ", 0), 0u) << predict.out.substr(0, 200);
  CliRun csv = run("predict --model " + model + " -o csv " + data("river/phishing.csv.gz"));
  EXPECT_EQ(csv.out.rfind("line,cluster\n2,", 0), 0u) << csv.out.substr(0, 200);
  std::filesystem::remove(model);
}

TEST(CliTest, UnsupervisedMisuseIsOneClearError) {
  const std::string phishing = data("river/phishing.csv.gz");
  expect_one_line_error(
      "eval " + phishing + " --target is_phishing --model cluster.KMeans --metric Accuracy",
      "--metric Accuracy: a clusterer has no metrics");
  expect_one_line_error(
      "eval " + phishing + " --target is_phishing --model anomaly.HalfSpaceTrees --metric F1",
      "--metric F1 compares decisions, but anomaly.HalfSpaceTrees only scores");
  expect_one_line_error(
      "eval " + phishing + " --target is_phishing --model anomaly.HalfSpaceTrees --metric MAE",
      "--metric MAE is a regression metric but the model is an anomaly detector");
  expect_one_line_error("eval " + phishing + " --model anomaly.HalfSpaceTrees --metric ROCAUC",
                        "--metric ROCAUC needs --target");
  expect_one_line_error(
      "eval " + phishing + " --target is_phishing --model anomaly.HalfSpaceTrees --delay 10",
      "--delay: an anomaly detector learns each row as it reads it");
  expect_one_line_error("eval " + phishing + " --model naive_bayes.GaussianNB",
                        "--target is required");
  expect_one_line_error("eval " + phishing + " --model 'anomaly.ThresholdFilter(cluster.KMeans)'",
                        "anomaly_detector must be an anomaly detector");
}

TEST(CliTest, CorruptModelFileIsDataLossNotACrash) {
  const std::string path = temp_path("corrupt.rvm");
  {
    std::ofstream f(path);
    f << "RIVMODEL garbage";
  }
  expect_one_line_error("inspect " + path, "not a valid rivulet model");
  expect_one_line_error("inspect /nonexistent.rvm", "no such model file");
  std::filesystem::remove(path);
}

}  // namespace

// rivulet gen: the built-in generators as JSON Lines.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

namespace {

size_t count_lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(CliGenTest, RiverStreamAsInRiversDocstring) {
  CliRun r = run("gen sea --count 5");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  // synth.SEA(variant=0, seed=42): {0: 6.39426, 1: 0.25010, 2: 2.75029} False, ...
  EXPECT_EQ(r.out,
            "{\"x0\":6.394267984578837,\"x1\":0.25010755222666936,\"x2\":2.7502931836911926,\"y\":false}\n"
            "{\"x0\":2.2321073814882277,\"x1\":7.364712141640124,\"x2\":6.766994874229113,\"y\":true}\n"
            "{\"x0\":8.921795677048454,\"x1\":0.8693883262941615,\"x2\":4.2192181968527045,\"y\":true}\n"
            "{\"x0\":0.29797219438070344,\"x1\":2.1863797480360336,\"x2\":5.053552881033624,\"y\":false}\n"
            "{\"x0\":0.26535969683863625,\"x1\":1.988376506866485,\"x2\":6.498844377795232,\"y\":false}\n");
}

TEST(CliGenTest, ParametersInTheSpecOrWithSetAndSeeds) {
  CliRun a = run("gen 'hyperplane(n_features=2, seed=42)' -n 50");
  CliRun b = run("gen hyperplane --set n_features=2 --set mag_change=0.0 -n 50");
  CliRun c = run("gen hyperplane --set n_features=2 -n 50 --seed 7");
  ASSERT_EQ(a.status, 0) << a.err;
  ASSERT_EQ(b.status, 0) << b.err;
  ASSERT_EQ(c.status, 0) << c.err;
  EXPECT_EQ(count_lines(a.out), 50u);
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
  EXPECT_EQ(a.out.substr(0, a.out.find('\n')), "{\"x0\":0.7319939418114051,\"x1\":0.5986584841970366,\"y\":1}");
}

TEST(CliGenTest, MistakesAreOneClearError) {
  expect_one_line_error("gen seas -n 1", "unknown generator 'seas': valid kinds are sea, hyperplane, agrawal, rbf, transactions, sensors");
  expect_one_line_error("gen 'sea(nois=0.1)' -n 1", "sea: unknown parameter 'nois' (parameters: variant, noise, seed)");
  expect_one_line_error("gen sea --set variant=7 -n 1", "sea: variant must be 0, 1, 2 or 3 (got 7)");
  expect_one_line_error("gen sea --set variant -n 1", "expected name=value");
  expect_one_line_error("gen 'sea(variant=' -n 1", "generator spec, column");
  expect_one_line_error("gen -n 1", "a KIND is needed");
  expect_one_line_error("gen sea -n 1 --output /nonexistent/dir/x.jsonl", "--output /nonexistent/dir/x.jsonl");
}

TEST(CliGenTest, ClosedPipeEndsTheRunQuietly) {
  const std::string err = temp_path("gen_pipe_err");
  const std::string cmd = "bash -c 'set -o pipefail; " + std::string(RIVULET_BINARY) +
                          " gen transactions 2>" + err + " | head -n 3'";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int raw = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(raw));
  EXPECT_EQ(WEXITSTATUS(raw), 0);  // pipefail: rivulet's own status, not head's
  EXPECT_EQ(count_lines(out), 3u);
  std::ifstream f(err);
  const std::string errors((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(errors.empty()) << errors;
  std::filesystem::remove(err);
}

TEST(CliGenTest, RateLimitedRunToAFile) {
  const std::string path = temp_path("gen_rate.jsonl");
  const auto start = std::chrono::steady_clock::now();
  CliRun r = run("gen 'sensors(n_machines=3)' --count 30 --rate 300 --output " + path);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_GE(seconds, 0.09);  // 30 events at 300 a second
  std::ifstream f(path);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(count_lines(text), 30u);
  EXPECT_EQ(text.rfind("{\"machine_id\":\"m", 0), 0u);
  std::filesystem::remove(path);
}

TEST(CliGenTest, SendsToATcpListener) {
  const int server = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(server, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ASSERT_EQ(::bind(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(server, 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(server, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string cmd = std::string(RIVULET_BINARY) + " gen sea -n 5 --output tcp://127.0.0.1:" +
                          std::to_string(ntohs(addr.sin_port));
  FILE* proc = popen(cmd.c_str(), "r");
  ASSERT_NE(proc, nullptr);
  const int client = ::accept(server, nullptr, nullptr);
  ASSERT_GE(client, 0);
  std::string received;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(client, buf, sizeof buf)) > 0) received.append(buf, static_cast<size_t>(n));
  ::close(client);
  ::close(server);
  const int raw = pclose(proc);
  EXPECT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 0);
  EXPECT_EQ(received, run("gen sea -n 5").out);
}

TEST(CliGenTest, ListShowsKindsParametersAndFields) {
  CliRun r = run("gen --list");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* needle : {"sea  (River: synth.SEA)", "hyperplane  (River: synth.Hyperplane)",
                             "agrawal  (River: synth.Agrawal)", "rbf  (River: synth.RandomRBFDrift)",
                             "transactions\n", "sensors\n", "n_features: int = 10",
                             "mag_change: float = 0.0", "label_delay: float = 60.0",
                             "fields: machine_id, event_time"}) {
    EXPECT_NE(r.out.find(needle), std::string::npos) << needle;
  }
}

}  // namespace
