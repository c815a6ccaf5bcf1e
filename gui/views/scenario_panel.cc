// The Scenario tab: every field of the scenario, edited and checked as typed by the
// parser `stampede validate` uses; Apply restarts the run with it.
#include "views/scenario_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <nlohmann/json.hpp>

#include "stampede/scenario_file.h"

namespace stampede::gui {

namespace {

using Json = nlohmann::ordered_json;

constexpr int kPathRole = Qt::UserRole;
constexpr int kStringRole = Qt::UserRole + 1; // the field holds text: never read as JSON
const char *kOrigin = "scenario panel";

// A value as the panel shows it: strings bare, everything else as JSON.
QString cell_text(const Json &v) {
  return QString::fromStdString(v.is_string() ? v.get<std::string>() : v.dump());
}

// What the user typed, back to JSON: for a text field the text itself (a name
// such as "2024" stays a name); otherwise JSON when it parses (a number, true,
// an object, an array), else the text as a string, as `--set` reads values.
Json read(const QString &text, bool is_string) {
  if (is_string)
    return Json(text.toStdString());
  const std::string s = text.trimmed().toStdString();
  Json v = Json::parse(s, nullptr, false);
  return v.is_discarded() ? Json(s) : v;
}

// The field's description from the schema, for a tooltip.
QString describe(const Json &schema, const std::string &section, const std::string &field) {
  const Json *props = &schema["properties"];
  if (!section.empty()) {
    if (!props->contains(section))
      return {};
    props = &(*props)[section]["properties"];
  }
  if (!props->contains(field))
    return {};
  const Json &f = (*props)[field];
  return QString::fromStdString(f.value("description", std::string()));
}

} // namespace

ScenarioPanel::ScenarioPanel(const Scenario &scenario, QWidget *parent) : QWidget(parent) {
  auto *layout = new QVBoxLayout(this);
  tree_ = new QTreeWidget;
  tree_->setColumnCount(2);
  tree_->setHeaderLabels({"field", "value"});
  tree_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  tree_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                         QAbstractItemView::SelectedClicked);
  layout->addWidget(tree_, 1);
  error_ = new QLabel;
  error_->setWordWrap(true);
  error_->setStyleSheet("color: #b02020");
  layout->addWidget(error_);
  auto *buttons = new QHBoxLayout;
  apply_ = new QPushButton("Apply and restart");
  apply_->setToolTip("Restarts the run at t=0 with these fields. strategy.name shows the "
                     "strategy switched to live, so the run keeps it; type another to change it.");
  reset_ = new QPushButton("Reset");
  buttons->addWidget(apply_);
  buttons->addWidget(reset_);
  layout->addLayout(buttons);
  connect(tree_, &QTreeWidget::itemChanged, this, [this] {
    if (!filling_)
      validate();
  });
  connect(apply_, &QPushButton::clicked, this, &ScenarioPanel::apply);
  connect(reset_, &QPushButton::clicked, this, [this] { setScenario(base_); });
  setScenario(scenario);
}

void ScenarioPanel::setScenario(const Scenario &scenario) {
  base_ = scenario;
  filling_ = true;
  tree_->clear();
  const Json doc = Json::parse(scenario_to_json(scenario));
  const Json schema = Json::parse(scenario_schema());
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it->is_object()) {
      auto *section = new QTreeWidgetItem(tree_, {QString::fromStdString(it.key())});
      section->setToolTip(0, describe(schema, "", it.key()));
      section->setFlags(Qt::ItemIsEnabled);
      for (auto jt = it->begin(); jt != it->end(); ++jt) {
        auto *item =
            new QTreeWidgetItem(section, {QString::fromStdString(jt.key()), cell_text(*jt)});
        item->setData(0, kPathRole, QString::fromStdString(it.key() + "." + jt.key()));
        item->setData(0, kStringRole, jt->is_string());
        item->setToolTip(0, describe(schema, it.key(), jt.key()));
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsEditable);
      }
      section->setExpanded(true);
    } else {
      auto *item = new QTreeWidgetItem(tree_, {QString::fromStdString(it.key()), cell_text(*it)});
      item->setData(0, kPathRole, QString::fromStdString(it.key()));
      item->setData(0, kStringRole, it->is_string());
      item->setToolTip(0, describe(schema, "", it.key()));
      item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsEditable);
    }
  }
  filling_ = false;
  validate();
}

QTreeWidgetItem *ScenarioPanel::find(const QString &path) const {
  for (QTreeWidgetItemIterator it(tree_); *it; ++it)
    if ((*it)->data(0, kPathRole).toString() == path)
      return *it;
  return nullptr;
}

bool ScenarioPanel::setField(const QString &path, const QString &text) {
  QTreeWidgetItem *item = find(path);
  if (!item)
    return false;
  item->setText(1, text); // itemChanged validates
  return true;
}

void ScenarioPanel::validate() {
  // The whole document from the cells, then the real parser on it.
  Json doc = Json::object();
  for (QTreeWidgetItemIterator it(tree_); *it; ++it) {
    const QString path = (*it)->data(0, kPathRole).toString();
    if (path.isEmpty())
      continue;
    const std::string p = path.toStdString();
    const auto dot = p.find('.');
    const Json value = read((*it)->text(1), (*it)->data(0, kStringRole).toBool());
    if (dot == std::string::npos)
      doc[p] = value;
    else
      doc[p.substr(0, dot)][p.substr(dot + 1)] = value;
    (*it)->setForeground(1, QBrush());
  }
  auto parsed = parse_scenario(doc.dump(), kOrigin);
  if (parsed) {
    edited_ = *parsed.value;
    error_->clear();
  } else {
    edited_.reset();
    error_->setText(QString::fromStdString(parsed.error));
    // Mark the field the message names: "scenario panel: PATH: ...".
    const std::string prefix = std::string(kOrigin) + ": ";
    if (parsed.error.starts_with(prefix)) {
      const std::string rest = parsed.error.substr(prefix.size());
      // The deepest row on the path: db.query_latency.exp marks db.query_latency.
      std::string path = rest.substr(0, rest.find(':'));
      filling_ = true;
      while (!path.empty()) {
        if (QTreeWidgetItem *item = find(QString::fromStdString(path))) {
          item->setForeground(1, QBrush(QColor(176, 32, 32)));
          break;
        }
        const auto cut = path.find_last_of(".[");
        path = cut == std::string::npos ? std::string() : path.substr(0, cut);
      }
      filling_ = false;
    }
  }
  apply_->setEnabled(edited_.has_value());
}

QString ScenarioPanel::error() const { return error_->text(); }

QString ScenarioPanel::field(const QString &path) const {
  const QTreeWidgetItem *item = find(path);
  return item ? item->text(1) : QString();
}

void ScenarioPanel::followStrategy(const StrategyConfig &live) {
  const Json was = Json::parse(scenario_to_json(base_))["strategy"];
  base_.strategy.name = live.name;
  base_.strategy.cas = live.cas;
  const Json now = Json::parse(scenario_to_json(base_))["strategy"];
  filling_ = true;
  for (const char *key : {"name", "cas"}) {
    QTreeWidgetItem *item = find(QString("strategy.") + key);
    // A cell the user has typed over keeps what was typed.
    if (item && was.contains(key) && now.contains(key) && item->text(1) == cell_text(was[key]))
      item->setText(1, cell_text(now[key]));
  }
  filling_ = false;
  validate();
}

void ScenarioPanel::apply() {
  if (!edited_)
    return;
  base_ = *edited_;
  emit scenarioApplied(*edited_);
}

} // namespace stampede::gui
