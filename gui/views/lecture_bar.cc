// The lecture's strip above the tabs: the demo on screen, what to point at, and the
// steps to the previous and next demo.
#include "views/lecture_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "views/palette.h"

namespace stampede::gui {

LectureBar::LectureBar(QWidget *parent) : QWidget(parent) {
  setObjectName("lecture");
  auto *row = new QHBoxLayout(this);
  row->setContentsMargins(6, 2, 6, 2);
  previous_ = new QPushButton("◀ Previous");
  next_ = new QPushButton("Next ▶");
  for (QPushButton *b : {previous_, next_}) {
    b->setFocusPolicy(Qt::NoFocus); // the diagram keeps the keys
    b->setAutoDefault(false);
  }
  previous_->setToolTip("The previous demo (Page Up, P)");
  next_->setToolTip("The next demo (Page Down, N)");
  auto *words = new QVBoxLayout;
  words->setSpacing(0);
  line_ = new QLabel;
  line_->setTextFormat(Qt::PlainText);
  QFont bold = line_->font();
  bold.setBold(true);
  line_->setFont(bold);
  point_ = new QLabel;
  point_->setTextFormat(Qt::PlainText);
  point_->setWordWrap(true); // a long point takes two lines, never "..."
  words->addWidget(line_);
  words->addWidget(point_);
  notes_ = new QPushButton("Notes");
  notes_->setCheckable(true);
  notes_->setChecked(true);
  notes_->setFocusPolicy(Qt::NoFocus);
  notes_->setToolTip("Show or hide what to point at and ask");
  connect(notes_, &QPushButton::toggled, point_, &QWidget::setVisible);
  row->addWidget(previous_);
  row->addLayout(words, 1);
  row->addWidget(notes_);
  row->addWidget(next_);
  connect(previous_, &QPushButton::clicked, this, [this] {
    if (current_ > 0)
      emit demoRequested(current_ - 1);
  });
  connect(next_, &QPushButton::clicked, this, [this] {
    if (current_ + 1 < static_cast<int>(lecture_.demos.size()))
      emit demoRequested(current_ + 1);
  });
}

void LectureBar::setLecture(const Lecture &lecture) {
  lecture_ = lecture;
  current_ = -1;
  line_->setText(QString::fromStdString(lecture.title));
  point_->clear();
}

void LectureBar::showDemo(int index) {
  if (index < 0 || index >= static_cast<int>(lecture_.demos.size()))
    return;
  current_ = index;
  const LectureDemo &d = lecture_.demos[static_cast<std::size_t>(index)];
  line_->setText(QString("%1 / %2   %3:00   %4   (part %5, lesson %6)")
                     .arg(index + 1)
                     .arg(lecture_.demos.size())
                     .arg(d.minute, 2, 10, QChar('0'))
                     .arg(QString::fromStdString(d.title))
                     .arg(d.part)
                     .arg(QString::fromStdString(d.lesson)));
  point_->setStyleSheet({});
  point_->setText(QString::fromStdString(d.point));
  previous_->setEnabled(index > 0);
  next_->setEnabled(index + 1 < static_cast<int>(lecture_.demos.size()));
}

void LectureBar::showProblem(const QString &why) {
  point_->setStyleSheet(QString("color: %1").arg(palette::kFaultText.name()));
  point_->setText(why);
  notes_->setChecked(true); // a problem is always said
}

void LectureBar::setNotesShown(bool on) { notes_->setChecked(on); }

bool LectureBar::notesShown() const { return notes_->isChecked(); }

QString LectureBar::text() const { return line_->text() + "\n" + point_->text(); }

} // namespace stampede::gui
