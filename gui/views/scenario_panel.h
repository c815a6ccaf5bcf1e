// The scenario panel: every field of the scenario, editable, validated as
// you type by the same parser `stampede validate` uses (so the messages are
// the same: the field's path, what was expected, what was given). Apply
// restarts the run with the edited scenario. The strategy fields follow the
// strategy switched to live (unless the user has typed over them), so Apply
// keeps the strategy the run has now.
#pragma once

#include <QWidget>
#include <optional>

#include "stampede/scenario.h"

class QLabel;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace stampede::gui {

class ScenarioPanel : public QWidget {
  Q_OBJECT
public:
  explicit ScenarioPanel(const Scenario &scenario, QWidget *parent = nullptr);

  /// Shows `scenario`'s fields, dropping any edits.
  void setScenario(const Scenario &scenario);
  /// Sets one field's text, as typing it would. @return false for an unknown path.
  bool setField(const QString &path, const QString &text);
  /// @return the edited scenario when every field is valid.
  const std::optional<Scenario> &edited() const { return edited_; }
  /// @return the current validation message (empty when valid).
  QString error() const;
  /// @return the text a field shows, empty for an unknown path.
  QString field(const QString &path) const;
  /// The run switched to `live`'s strategy (name and cas): the panel shows
  /// it and Apply keeps it, except where the user has typed another.
  void followStrategy(const StrategyConfig &live);

public slots:
  /// Emits scenarioApplied with the edited scenario, if valid.
  void apply();

signals:
  /// The edited, valid scenario the run should restart with.
  void scenarioApplied(const stampede::Scenario &scenario);

private:
  void validate();
  QTreeWidgetItem *find(const QString &path) const;

  Scenario base_;
  QTreeWidget *tree_ = nullptr;
  QLabel *error_ = nullptr;
  QPushButton *apply_ = nullptr, *reset_ = nullptr;
  std::optional<Scenario> edited_;
  bool filling_ = false;
};

} // namespace stampede::gui
