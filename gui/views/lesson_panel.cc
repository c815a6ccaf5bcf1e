// The lesson panel: a lesson's steps, each run in the window, its question asked
// before and its expectations checked after, as `stampede lesson run` does.
#include "views/lesson_panel.h"
#include "views/queued.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <fstream>
#include <sstream>

#include "stampede/expectations.h"
#include "stampede/scenario_file.h"
#include "stampede/strategy.h"
#include "worker/compare_runner.h"

namespace stampede::gui {

LessonPanel::LessonPanel(const std::filesystem::path &root, QWidget *parent)
    : QWidget(parent), lessons_(find_lessons(root)) {
  auto *layout = new QVBoxLayout(this);
  lesson_box_ = new QComboBox;
  for (const LessonFile &l : lessons_)
    lesson_box_->addItem(QString::fromStdString(l.dir.filename().string() + "  " + l.title));
  // As wide as the panel, not as the longest title (the list shows titles
  // whole): a title's width must not widen the window past 1024 px.
  lesson_box_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  lesson_box_->setMinimumContentsLength(20);
  layout->addWidget(lesson_box_);
  steps_ = new QListWidget;
  steps_->setMaximumHeight(110);
  layout->addWidget(steps_);
  text_ = new QTextBrowser;
  layout->addWidget(text_, 1);
  point_ = new QLabel;
  point_->setWordWrap(true);
  layout->addWidget(point_);
  // The step's question, asked before it runs: choices or a number.
  question_ = new QGroupBox("Predict first");
  auto *qlayout = new QVBoxLayout(question_);
  question_text_ = new QLabel;
  question_text_->setWordWrap(true);
  qlayout->addWidget(question_text_);
  choices_ = new QWidget;
  choices_->setLayout(new QVBoxLayout);
  choices_->layout()->setContentsMargins(0, 0, 0, 0);
  qlayout->addWidget(choices_);
  choice_group_ = new QButtonGroup(this);
  number_ = new QLineEdit;
  number_->setPlaceholderText("your answer, a number");
  qlayout->addWidget(number_);
  question_->hide();
  layout->addWidget(question_);
  run_ = new QPushButton("Run this step");
  layout->addWidget(run_);
  verdict_ = new QLabel;
  verdict_->setWordWrap(true);
  verdict_->setTextFormat(Qt::RichText);
  layout->addWidget(verdict_);
  if (lessons_.empty()) {
    text_->setPlainText("No lessons found in " + QString::fromStdString(root.string()) + ".");
    run_->setEnabled(false);
  }
  connect(lesson_box_, &QComboBox::currentIndexChanged, this, &LessonPanel::selectLesson);
  connect(steps_, &QListWidget::currentRowChanged, this, &LessonPanel::selectStep);
  connect(run_, &QPushButton::clicked, this, [this] { runStep(); });
  // The checker calls back on its thread; queued() runs each call here.
  checker_ = std::make_unique<CompareRunner>(
      queued(this, &LessonPanel::seedsDone), [](const CompareDone &) {},
      queued(this, &LessonPanel::seedsProgress));
  if (!lessons_.empty())
    selectLesson(0);
}

LessonPanel::~LessonPanel() { checker_.reset(); }

int LessonPanel::openLesson(const LessonFile &l) {
  std::error_code ec;
  for (std::size_t i = 0; i < lessons_.size(); ++i)
    if (std::filesystem::equivalent(lessons_[i].dir, l.dir, ec)) {
      selectLesson(static_cast<int>(i));
      return static_cast<int>(i);
    }
  lessons_.push_back(l);
  lesson_box_->addItem(QString::fromStdString(l.dir.filename().string() + "  " + l.title));
  run_->setEnabled(true);
  selectLesson(static_cast<int>(lessons_.size() - 1));
  return static_cast<int>(lessons_.size() - 1);
}

void LessonPanel::stopChecking() {
  if (checking_ != 0)
    checker_->cancel(); // returns at once; its row, if any, is dropped
  checking_ = 0;
}

void LessonPanel::selectLesson(int index) {
  if (index < 0 || index >= static_cast<int>(lessons_.size()))
    return;
  lesson_ = index;
  if (lesson_box_->currentIndex() != index)
    lesson_box_->setCurrentIndex(index);
  const LessonFile &l = lessons_[static_cast<std::size_t>(index)];
  std::ifstream in(l.dir / l.text_file, std::ios::binary);
  std::stringstream md;
  md << in.rdbuf();
  sections_ = lesson_sections(md.str());
  steps_->clear();
  for (std::size_t i = 0; i < l.steps.size(); ++i)
    steps_->addItem(QString("%1. %2").arg(i + 1).arg(QString::fromStdString(l.steps[i].title)));
  step_ = -1;
  if (!l.error.empty()) {
    text_->setPlainText(QString::fromStdString(l.error));
    run_->setEnabled(false);
    return;
  }
  run_->setEnabled(!l.steps.empty());
  selectStep(0);
}

void LessonPanel::selectStep(int index) {
  if (lesson_ < 0)
    return;
  const LessonFile &l = lessons_[static_cast<std::size_t>(lesson_)];
  if (index < 0 || index >= static_cast<int>(l.steps.size()))
    return;
  step_ = index;
  if (steps_->currentRow() != index)
    steps_->setCurrentRow(index);
  // The lesson's introduction above its first step; each later step alone,
  // up to "### After the run" (the rest is shown when its run has ended).
  const auto n = static_cast<std::size_t>(index) + 1;
  std::string shown = index == 0 ? sections_.front() : std::string();
  after_.clear();
  if (n < sections_.size()) {
    const StepText text = split_step_text(sections_[n]);
    shown += text.before;
    after_ = text.after;
  }
  before_ = shown;
  text_->setMarkdown(QString::fromStdString(shown));
  const LessonStep &step = l.steps[static_cast<std::size_t>(index)];
  // What to point at often tells the answer: a step that asks shows it once
  // its run has begun.
  point_->setText(step.point.empty() ? QString()
                  : step.question    ? QString("<b>Point at:</b> <i>shown when the run starts</i>")
                                     : "<b>Point at:</b> " + QString::fromStdString(step.point));
  verdict_->clear();
  awaiting_ = false;
  stopChecking();
  showQuestion(step);
}

void LessonPanel::showQuestion(const LessonStep &step) {
  for (QAbstractButton *b : choice_group_->buttons()) {
    choice_group_->removeButton(b);
    delete b;
  }
  number_->clear();
  if (!step.question) {
    question_->hide();
    return;
  }
  const LessonQuestion &q = *step.question;
  question_text_->setText(QString::fromStdString(q.text));
  for (std::size_t k = 0; k < q.choices.size(); ++k) {
    auto *b = new QRadioButton(QString::fromStdString(q.choices[k].text));
    choice_group_->addButton(b, static_cast<int>(k));
    choices_->layout()->addWidget(b);
  }
  choices_->setVisible(q.has_choices());
  number_->setVisible(!q.has_choices());
  question_->show();
}

std::optional<double> LessonPanel::prediction() const {
  if (lesson_ < 0 || step_ < 0)
    return std::nullopt;
  const LessonStep &step =
      lessons_[static_cast<std::size_t>(lesson_)].steps[static_cast<std::size_t>(step_)];
  if (!step.question)
    return std::nullopt;
  if (step.question->has_choices()) {
    const int id = choice_group_->checkedId();
    return id < 0 ? std::nullopt : std::optional<double>(id);
  }
  std::string error;
  return parse_answer(*step.question, number_->text().toStdString(), error);
}

QString LessonPanel::questionText() const {
  return question_->isHidden() ? QString() : question_text_->text();
}

bool LessonPanel::predict(const QString &answer) {
  if (lesson_ < 0 || step_ < 0)
    return false;
  const LessonStep &step =
      lessons_[static_cast<std::size_t>(lesson_)].steps[static_cast<std::size_t>(step_)];
  if (!step.question)
    return false;
  std::string error;
  const std::optional<double> a = parse_answer(*step.question, answer.toStdString(), error);
  if (!a)
    return false;
  if (step.question->has_choices())
    choice_group_->button(static_cast<int>(*a))->setChecked(true);
  else
    number_->setText(answer.trimmed());
  return true;
}

bool LessonPanel::runStep() {
  if (lesson_ < 0 || step_ < 0)
    return false;
  const LessonStep &step =
      lessons_[static_cast<std::size_t>(lesson_)].steps[static_cast<std::size_t>(step_)];
  if (!step.error.empty()) {
    verdict_->setText(QString::fromStdString(step.error).toHtmlEscaped());
    return false;
  }
  auto scenario = load_scenario(step.scenario, step.overrides);
  if (!scenario) {
    verdict_->setText(QString::fromStdString(scenario.error).toHtmlEscaped());
    return false;
  }
  predicted_ = prediction();
  if (!step.point.empty())
    point_->setText("<b>Point at:</b> " + QString::fromStdString(step.point));
  verdict_->setText(step.question && !predicted_
                        ? "running… (no prediction: pick an answer above first next time)"
                        : "running…");
  awaiting_ = true;
  checked_ = false;
  stopChecking();
  step_scenario_ = *scenario.value;
  step_seeds_ = step.seeds.value_or(1);
  generation_before_ = last_generation_;
  emit runRequested(*scenario.value);
  return true;
}

void LessonPanel::applySnapshot(const Snapshot &s) {
  last_generation_ = s.generation;
  if (!awaiting_ || s.generation == generation_before_)
    return;
  if (s.finished && !checked_) {
    checked_ = true;
    awaiting_ = false;
    if (step_seeds_ > 1)
      checkOverSeeds(s.totals);
    else
      check(replicate({s.totals}, 0));
  }
}

namespace {

QString seeds_progress(std::size_t done, std::size_t seeds) {
  return QString("checking over %1 seeds: %2 of %1 done…").arg(seeds).arg(done);
}

} // namespace

void LessonPanel::checkOverSeeds(const Report &live) {
  // The live run was the first seed; the others count up from it, as
  // `stampede lesson run` runs the step (seeds scenario.seed .. + N - 1).
  live_ = live;
  Scenario next = step_scenario_;
  next.seed = step_scenario_.seed + 1;
  std::vector<CompareJob> jobs;
  jobs.push_back(CompareJob{strategy_label(next.strategy), std::move(next), {}});
  checking_ = checker_->start(std::move(jobs), step_seeds_ - 1);
  verdict_->setText(seeds_progress(1, step_seeds_));
}

void LessonPanel::seedsProgress(const CompareProgress &p) {
  if (p.run != checking_)
    return;
  verdict_->setText(seeds_progress(p.seeds_done + 1, step_seeds_));
}

void LessonPanel::seedsDone(const CompareRow &row) {
  if (row.run != checking_)
    return; // a check stopped since: another step, or the step run again
  checking_ = 0;
  if (row.failed()) {
    verdict_->setText("<b style='color:#b02020'>Could not check over seeds:</b> " +
                      QString::fromStdString(row.report.strategy).toHtmlEscaped());
    emit stepChecked();
    return;
  }
  std::vector<Report> runs;
  runs.reserve(row.replicated.runs.size() + 1);
  runs.push_back(live_);
  runs.insert(runs.end(), row.replicated.runs.begin(), row.replicated.runs.end());
  check(replicate(std::move(runs), 0));
}

namespace {

QString esc(const std::string &t) { return QString::fromStdString(t).toHtmlEscaped(); }

// The step's expectations checked on `runs`: the verdict, then each
// expectation with what it measured. One seed: the report's own check, as
// before; several: SPEC 11's, where ci95(P) holds when the whole interval
// does and a plain P in every run.
QString expectations_html(const std::vector<ExpectClause> &expect, const ReplicatedReport &runs) {
  std::vector<ExpectationResult> results;
  const bool ok = judge_step(expect, runs, results);
  QString html = ok ? "<b style='color:#207030'>As the lesson says:</b>"
                    : "<b style='color:#b02020'>Not as the lesson says:</b>";
  for (const ExpectationResult &e : results)
    html += QString("<br>%1 %2 <span style='color:gray'>(measured %3)</span>")
                .arg(e.ok ? "✓" : "✗")
                .arg(QString::fromStdString(e.expr).toHtmlEscaped())
                .arg(e.actual);
  return html;
}

// The figures the step's text states, each measured on these runs (a
// claim on named seeds is the tests' to check: this run is not those).
QString claims_html(const std::vector<LessonClaim> &claims, const ReplicatedReport &runs,
                    bool several) {
  QString html;
  if (!claims.empty())
    html += "<br><b>The figures in the text:</b>";
  for (const LessonClaim &claim : claims) {
    const QString said = "“" + QString::fromStdString(claim.text).toHtmlEscaped() + "”";
    if (claim.seeds) {
      html += QString("<br>· %1 <span style='color:gray'>(measured on seeds %2-%3)</span>")
                  .arg(said)
                  .arg(claim.seeds->first)
                  .arg(claim.seeds->second);
      continue;
    }
    ReplicatedReport r = several ? runs : replicate({runs.runs.front()}, 0);
    const bool holds = evaluate_expectations(r, claim.expect);
    QString measured;
    for (const ExpectationResult &e : r.expectations)
      measured += (measured.isEmpty() ? "" : ", ") +
                  QString::fromStdString(e.expr).toHtmlEscaped() + QString(": %1").arg(e.actual);
    html += QString("<br>%1 %2 <span style='color:gray'>(%3)</span>")
                .arg(holds ? "✓" : "✗", said, measured);
  }
  return html;
}

} // namespace

void LessonPanel::check(const ReplicatedReport &runs) {
  const bool several = runs.runs.size() > 1;
  const LessonStep &step =
      lessons_[static_cast<std::size_t>(lesson_)].steps[static_cast<std::size_t>(step_)];
  if (!after_.empty())
    text_->setMarkdown(QString::fromStdString(before_ + after_));
  QString html;
  if (several)
    html += QString("<b>Over %1 seeds</b> (%2 to %3; the live run was the first):<br>")
                .arg(runs.runs.size())
                .arg(runs.seeds.front())
                .arg(runs.seeds.back());
  if (step.question)
    html += answerHtml(*step.question, runs);
  if (!step.expect || step.expect->empty()) {
    verdict_->setText(html + "done (this step checks nothing)");
    emit stepChecked();
    return;
  }
  html += expectations_html(*step.expect, runs);
  html += claims_html(step.claims, runs, several);
  verdict_->setText(html);
  emit stepChecked();
}

QString LessonPanel::answerHtml(const LessonQuestion &q, const ReplicatedReport &runs) const {
  // The measured answer beside the prediction, then the step's checks.
  const Report &report = runs.runs.front();
  const QuestionOutcome m =
      runs.runs.size() > 1 ? answer_question(q, runs) : answer_question(q, report);
  QString html = "<b>Measured:</b> " + esc(m.measured_text) + "<br>";
  if (predicted_) {
    const bool right = answer_is_right(q, *predicted_);
    const std::string said = q.has_choices() ? q.choices[static_cast<std::size_t>(*predicted_)].text
                                             : number_->text().trimmed().toStdString();
    html += QString("<b>You said:</b> %1 <b style='color:%2'>%3</b><br>")
                .arg(esc(said), right ? "#207030" : "#b02020", right ? "right" : "not quite");
  }
  html += "<b>The answer:</b> " + esc(q.answer_text());
  if (!q.why.empty())
    html += " <span style='color:gray'>(" + esc(q.why) + ")</span>";
  if (!m.proved)
    html += "<br><b style='color:#b02020'>This run does not prove it:</b> " + esc(m.failure);
  html += "<br>";
  return html;
}

QString LessonPanel::verdict() const { return verdict_->text(); }
QString LessonPanel::stepText() const { return text_->toMarkdown(); }

} // namespace stampede::gui
