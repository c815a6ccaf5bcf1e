#include "views/lesson_panel.h"

#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <fstream>
#include <sstream>

#include "stampede/scenario_io.h"

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
  if (!lessons_.empty())
    selectLesson(0);
}

void LessonPanel::selectLesson(int index) {
  if (index < 0 || index >= static_cast<int>(lessons_.size()))
    return;
  lesson_ = index;
  if (lesson_box_->currentIndex() != index)
    lesson_box_->setCurrentIndex(index);
  const LessonFile &l = lessons_[static_cast<std::size_t>(index)];
  std::ifstream in(l.dir / "lesson.md", std::ios::binary);
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
  // The lesson's introduction above its first step; each later step alone.
  const auto n = static_cast<std::size_t>(index) + 1;
  std::string shown = index == 0 ? sections_.front() : std::string();
  if (n < sections_.size())
    shown += sections_[n];
  text_->setMarkdown(QString::fromStdString(shown));
  const LessonStep &step = l.steps[static_cast<std::size_t>(index)];
  point_->setText(step.point.empty() ? QString()
                                     : "<b>Point at:</b> " + QString::fromStdString(step.point));
  verdict_->clear();
  awaiting_ = false;
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
  verdict_->setText("running…");
  awaiting_ = true;
  checked_ = false;
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
    check(s.totals);
  }
}

void LessonPanel::check(const Report &report) {
  const LessonStep &step =
      lessons_[static_cast<std::size_t>(lesson_)].steps[static_cast<std::size_t>(step_)];
  if (!step.expect || step.expect->empty()) {
    verdict_->setText("done (this step checks nothing)");
    return;
  }
  Report r = report;
  const bool ok = evaluate_expectations(r, *step.expect);
  QString html = ok ? "<b style='color:#207030'>As the lesson says:</b>"
                    : "<b style='color:#b02020'>Not as the lesson says:</b>";
  for (const ExpectationResult &e : r.expectations)
    html += QString("<br>%1 %2 <span style='color:gray'>(measured %3)</span>")
                .arg(e.ok ? "✓" : "✗")
                .arg(QString::fromStdString(e.expr).toHtmlEscaped())
                .arg(e.actual);
  verdict_->setText(html);
}

QString LessonPanel::verdict() const { return verdict_->text(); }
QString LessonPanel::stepText() const { return text_->toMarkdown(); }

} // namespace stampede::gui
