// The lesson panel (SPEC section 9): walks a lesson's steps. Each step's text
// comes from lesson.md, "Run this step" loads its scenario, strategy and
// overrides into the window and plays it, and when the run ends the step's
// expectations are checked against the report, as `stampede lesson run` does.
// A step with a question asks it first ("Predict first"): the learner picks a
// choice or types a number, and when the run ends the panel shows the
// measured answer beside the prediction. A step with `seeds` N > 1 is checked
// over N seeds (SPEC section 11), as `stampede lesson run` checks it: once
// the live run of the step's own seed has ended, the other N - 1 run off the
// UI thread (worker/compare_runner.h), the panel counting them ("checking
// over 10 seeds: 3 of 10 done"), and the expectations and the question are
// judged on the replicated report.
#pragma once

#include <QWidget>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "snapshot/snapshot.h"
#include "stampede/lessons.h"

class QButtonGroup;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTextBrowser;

namespace stampede::gui {

class CompareRunner;
struct CompareProgress;
struct CompareRow;

class LessonPanel : public QWidget {
  Q_OBJECT
public:
  /// @param root the lessons folder (default_lessons_dir() in the app).
  explicit LessonPanel(const std::filesystem::path &root, QWidget *parent = nullptr);
  /// Stops a check over seeds (at its next slice) and waits for its thread.
  ~LessonPanel() override;

  /// @return the lessons found.
  const std::vector<LessonFile> &lessons() const { return lessons_; }
  /// Shows lesson `index` (into lessons()).
  void selectLesson(int index);
  /// Shows the lesson read from `l` (File > Open): the one of lessons()
  /// from the same folder, else it is added to the list.
  /// @return its index into lessons().
  int openLesson(const LessonFile &l);
  /// Shows step `index` of the current lesson.
  void selectStep(int index);
  /// Loads the current step's scenario and asks the window to run it.
  /// @return false (with the reason shown) if the scenario does not load.
  bool runStep();
  /// @return the result text of the last checked step ("" before one ends),
  /// or the progress of its check over seeds.
  QString verdict() const;
  /// @return true while a step's other seeds run.
  bool checkingSeeds() const { return checking_ != 0; }
  /// @return the text shown for the current step.
  QString stepText() const;
  /// @return the current step's question as shown ("" when it asks none).
  QString questionText() const;
  /// Answers the current step's question as the learner would: a choice's
  /// number (1-based) or text, or a number. @return false if it is no answer.
  bool predict(const QString &answer);

public slots:
  /// Every snapshot the window applies: a step's run is checked when it ends.
  void applySnapshot(const stampede::gui::Snapshot &s);

signals:
  /// The window should restart with `scenario` and play it.
  void runRequested(const stampede::Scenario &scenario);
  /// A step's run has been checked (over its seeds, for a step with seeds).
  void stepChecked();

private:
  void check(const ReplicatedReport &runs);
  // A question's measured answer, the prediction and the right answer, as HTML.
  QString answerHtml(const LessonQuestion &q, const ReplicatedReport &runs) const;
  void checkOverSeeds(const Report &live);
  void seedsProgress(const CompareProgress &p);
  void seedsDone(const CompareRow &row);
  void stopChecking();
  void showQuestion(const LessonStep &step);
  /// The learner's answer as parse_answer gives it, if they gave one.
  std::optional<double> prediction() const;

  std::vector<LessonFile> lessons_;
  std::vector<std::string> sections_; // of the current lesson.md
  std::string before_, after_;        // the current step's text, split at "### After the run"
  int lesson_ = -1, step_ = -1;
  QComboBox *lesson_box_ = nullptr;
  QListWidget *steps_ = nullptr;
  QTextBrowser *text_ = nullptr;
  QLabel *point_ = nullptr, *verdict_ = nullptr;
  QPushButton *run_ = nullptr;
  QGroupBox *question_ = nullptr;
  QLabel *question_text_ = nullptr;
  QWidget *choices_ = nullptr;
  QButtonGroup *choice_group_ = nullptr;
  QLineEdit *number_ = nullptr;
  std::optional<double> predicted_; // what the learner said when the step began

  // The check over a step's other seeds: its runner and the live run's report.
  std::unique_ptr<CompareRunner> checker_;
  Scenario step_scenario_;     // the scenario the step's live run was asked for
  Report live_;                // the live run's report (the first seed)
  std::uint64_t checking_ = 0; // the checker's run under way, 0 for none
  std::size_t step_seeds_ = 1;

  // The run a step asked for: the first generation after the request.
  bool awaiting_ = false, checked_ = false;
  std::uint64_t generation_before_ = 0;
  std::uint64_t last_generation_ = 0;
};

} // namespace stampede::gui
