package org.sparkpeft.job.service;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.config.OutputSpec;
import org.sparkpeft.data.manifest.Manifest;
import org.sparkpeft.data.manifest.ManifestJson;
import org.sparkpeft.data.shard.AtomicOutput;
import org.sparkpeft.job.baseline.BaselineResult;
import org.sparkpeft.job.baseline.BaselineVerdict;
import org.sparkpeft.job.baseline.TfidfBaseline;
import org.sparkpeft.job.data.PreparedData;
import org.sparkpeft.job.report.MetricsJson;
import org.sparkpeft.job.select.AutoPlans;
import org.sparkpeft.job.select.SelectionStage;
import org.sparkpeft.job.report.ReportHtml;
import org.sparkpeft.job.report.TrainingReport;
import org.sparkpeft.job.store.AdapterStore;
import org.sparkpeft.job.train.AdapterTrainer;
import org.sparkpeft.job.train.Checkpoints;
import org.sparkpeft.job.train.HeadProbe;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.job.train.defaults.DataFacts;
import org.sparkpeft.job.train.defaults.DefaultsChooser;
import org.sparkpeft.job.train.defaults.LabelWarnings;
import org.sparkpeft.models.io.AdapterFiles;
import org.sparkpeft.models.io.AdapterInfo;
import org.sparkpeft.models.peft.auto.AutoConfig;

/**
 * The training job as a Java service (no picocli): optionally prepares raw data, trains adapter-only on Spark with
 * checkpoints and resume, and writes the output folder atomically: {@code adapter/}, {@code metrics.json},
 * {@code report.html}, {@code prepared/} (raw input only) and {@code _SUCCESS}. Unless
 * {@code baseline.enabled=false}, the run also scores a TF-IDF + logistic-regression baseline on the same splits
 * ({@link TfidfBaseline}). The {@code train} and {@code demo} commands are flag parsing over it.
 */
public final class TrainingService {

  /** What a run wrote: its report, the output folder, and the adapter's size in bytes (both files). */
  public record Written(TrainingReport report, String output, long adapterBytes) {}

  private static final Logger LOG = LoggerFactory.getLogger(TrainingService.class);

  private final SparkSession spark;

  public TrainingService(SparkSession spark) {
    this.spark = spark;
  }

  /** Trains on prepared data and writes the output folder atomically; prints nothing but the job's log. */
  public Written trainAndWrite(TrainConfig train) {
    return trainAndWrite(train, null);
  }

  /**
   * Prepares {@code raw} (when not null; it ends up in {@code <output>/prepared}), trains on it — checkpointing to
   * and resuming from {@code .<output name>.checkpoints} beside the output — and writes the output atomically.
   */
  public Written trainAndWrite(TrainConfig train, RawInput raw) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path checkpointDir = Checkpoints.beside(train.output().path());
    // raw data is prepared beside the output (a stable path, so a re-run resumes the same job's checkpoints) and
    // moved into it before the commit; the output's lock, taken here, keeps a second job out of both folders
    Path prepared = beside(train.output().path(), ".prepared");
    AtomicOutput target = AtomicOutput.begin(hadoop, new OutputSpec(train.output().path(),
        train.output().overwrite()));
    try {
      TrainConfig job = raw == null ? train : raw.prepare(spark, train, prepared.toString());
      TrainConfig unchosen = job;
      DefaultsChooser.Chosen chosen = choose(job);
      job = chosen.config();
      if (AutoConfig.TYPE.equals(job.methodType())) {
        // auto selects its plan first (or takes the one its options or its checkpoints hold) and trains it
        job = job.withMethodOptions(AutoPlans.resolve(spark, job,
            train.train().checkpointEveryRounds() > 0 ? checkpointDir : null).options());
      }
      BaselineResult baseline = job.baseline().enabled() ? baseline(job) : null;
      AdapterTrainer trainer = new AdapterTrainer(spark, job,
          train.train().checkpointEveryRounds() > 0 ? checkpointDir : null);
      if (job.head().init() == TrainConfig.HeadInit.PROBE && "head".equals(job.methodType())) {
        LOG.info("head.init=probe: method head trains the head alone already; no separate head-only run");
      } else if (job.head().init() == TrainConfig.HeadInit.PROBE) {
        // run when the trainer knows it starts fresh (a resumed run has its head in the checkpoint)
        String method = job.methodType();
        trainer.startHeadFrom(() -> HeadProbe.run(spark, unchosen, headJob -> choose(headJob).config(), method));
      }
      AdapterTrainer.Outcome outcome = trainer.run();
      TrainingReport withChosen = outcome.report().withChosen(DefaultsChooser.asJson(chosen.choices()));
      TrainingReport report = raw == null ? withChosen
          : withChosen.withConfig("data", new Path(target.target(), "prepared").toString())
              .withConfig("input", raw.description());
      if (baseline != null) {
        report = report.withBaseline(baseline);
        logVerdict(report, job.eval().metric());
      }
      AdapterFiles.Files adapter = AdapterFiles.save(outcome.model(), adapterInfo(job, outcome));
      long adapterBytes = AdapterStore.write(hadoop, new Path(target.temp(), "adapter"), adapter);
      AdapterStore.write(hadoop, new Path(target.temp(), "metrics.json"), MetricsJson.write(report));
      AdapterStore.write(hadoop, new Path(target.temp(), "report.html"), ReportHtml.write(report));
      if (raw != null) {
        FileSystem fs = prepared.getFileSystem(hadoop);
        if (!fs.rename(prepared, new Path(target.temp(), "prepared"))) {
          throw new IOException("the prepared data " + prepared + " could not be moved into the output");
        }
      }
      target.commit(); // writes _SUCCESS, the listing of the files above
      new Checkpoints(hadoop, checkpointDir).delete();
      return new Written(report, target.target().toString(), adapterBytes);
    } catch (IOException | RuntimeException e) {
      target.abort();
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("writing " + train.output().path() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * {@code auto}'s selection alone ({@code bin/sparkpeft select}): the plan and the importance it came from, for
   * the data's chosen defaults (batch size, max length) and the job's seed; writes nothing.
   */
  public SelectionStage.Selected select(TrainConfig train) {
    if (!AutoConfig.TYPE.equals(train.methodType())) {
      throw new UserError("select chooses the parameters of method auto; method.type is " + train.methodType() + ".");
    }
    TrainConfig job = choose(train).config();
    return SelectionStage.run(spark, AutoPlans.setup(job), AutoPlans.config(job));
  }

  /** The TF-IDF + logistic-regression baseline on the same splits (before training: seconds, and it fails fast). */
  private BaselineResult baseline(TrainConfig job) {
    PreparedData data = new PreparedData(spark, job.data()).verified();
    return TfidfBaseline.run(data, data.labels()).result();
  }

  private static void logVerdict(TrainingReport report, TrainConfig.Metric metric) {
    BaselineVerdict.Verdict verdict = BaselineVerdict.of(
        report.validation().stream().map(TrainingReport.Validation::metrics).toList(), metric, report.baseline());
    if (verdict != null && verdict.beaten()) {
      LOG.info(verdict.line());
    } else if (verdict != null) {
      LOG.warn(verdict.line());
    }
  }

  /**
   * The values the user left to the data, decided from the prepared data's manifest and logged as one table; the
   * keys the user set stay as given.
   */
  private DefaultsChooser.Chosen choose(TrainConfig job) {
    PreparedData data = new PreparedData(spark, job.data()).verified(); // a broken folder is named as before
    Manifest manifest;
    try {
      manifest = ManifestJson.read(spark.sparkContext().hadoopConfiguration(), new Path(job.data()));
    } catch (IOException e) {
      throw new UserError("data " + job.data() + " has no readable manifest.json (" + e.getMessage()
          + "); prepare it with `bin/sparkpeft prepare`.", e);
    }
    DataFacts facts;
    try {
      facts = DataFacts.of(manifest, data.labels());
    } catch (IllegalArgumentException e) {
      throw new UserError("data " + job.data() + ": " + e.getMessage() + ".", e);
    }
    DefaultsChooser.Chosen chosen = DefaultsChooser.choose(facts, job);
    LOG.info(chosen.table(facts).stripTrailing());
    LabelWarnings.of(facts, data.labels()).forEach(LOG::warn);
    return chosen;
  }

  /** {@code <parent>/.<name><suffix>}: a hidden sibling of the output (Hadoop and Spark readers skip it). */
  private static Path beside(String output, String suffix) {
    Path target = new Path(output);
    return new Path(target.getParent(), "." + target.getName() + suffix);
  }

  private static AdapterInfo adapterInfo(TrainConfig train, AdapterTrainer.Outcome outcome) {
    TrainingReport r = outcome.report();
    Map<String, String> summary = new LinkedHashMap<>();
    summary.put("rounds", Integer.toString(r.rounds()));
    summary.put("epochs", Integer.toString(r.epochs()));
    if (train.train().maxLength() > 0) {
      // rows were cut to this many tokens in training: evaluate and predict cut the same way
      summary.put("max_length", Integer.toString(train.train().maxLength()));
    }
    if (r.test() != null) {
      summary.put("test_accuracy", Double.toString(r.test().accuracy()));
      summary.put("test_macro_f1", Double.toString(r.test().macroF1()));
    }
    return new AdapterInfo(train.methodType(), train.methodOptions(), train.head().hidden(), train.head().dropout(),
        outcome.labels(), r.baseModelId(), r.baseModelSha256(), outcome.tokenizerId(), outcome.tokenizerSha256(),
        summary);
  }
}
