// The lecture as a playlist (`stampede-gui --lecture`): a strip above the
// window's tabs that names the demo on screen ("4 / 18  12:00  The
// stampede"), what to point at and ask, and steps to the previous or next
// demo (buttons, Page Up / Page Down as a presenter's clicker sends them,
// P / N). The window loads the demo it asks for (MainWindow::showDemo).
#pragma once

#include <QWidget>

#include "stampede/lecture.h"

class QLabel;
class QPushButton;

namespace stampede::gui {

class LectureBar : public QWidget {
  Q_OBJECT
public:
  explicit LectureBar(QWidget *parent = nullptr);
  /// Shows `lecture`'s demos (none shown yet: call showDemo).
  void setLecture(const Lecture &lecture);
  /// @return the playlist shown.
  const Lecture &lecture() const { return lecture_; }
  /// Marks demo `index` as the one on screen.
  void showDemo(int index);
  /// @return the demo on screen (-1: none).
  int current() const { return current_; }
  /// @return the strip's words: the demo's line and what to point at.
  QString text() const;
  /// A problem loading the demo (its scenario), said on the strip in red.
  void showProblem(const QString &why);
  /// Shows or hides what to point at (the Notes button): shown by default,
  /// hidden in projector mode, where the strip keeps to one line and the
  /// charts keep their room.
  void setNotesShown(bool on);
  /// @return whether what to point at is shown.
  bool notesShown() const;

signals:
  /// The user asked for demo `index` (Previous, Next, their keys).
  void demoRequested(int index);

private:
  Lecture lecture_;
  int current_ = -1;
  QLabel *line_ = nullptr, *point_ = nullptr;
  QPushButton *previous_ = nullptr, *next_ = nullptr, *notes_ = nullptr;
};

} // namespace stampede::gui
