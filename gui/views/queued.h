// queued(): a worker's callback that runs a view's member function on the
// view's own (UI) thread. The workers (CompareRunner, SweepRunner) call back
// on their threads; each call is queued to the view's, so the view is only
// ever touched there. The view must destroy its runner (joining its thread)
// before itself, so every queued call finds it alive.
//
//     runner_ = std::make_unique<CompareRunner>(queued(this, &CompareView::addRow), ...);
#pragma once

#include <functional>

#include <QMetaObject>

namespace stampede::gui {

template <class View, class Arg>
std::function<void(const Arg &)> queued(View *view, void (View::*method)(const Arg &)) {
  return [view, method](const Arg &arg) {
    QMetaObject::invokeMethod(
        view, [view, method, arg] { (view->*method)(arg); }, Qt::QueuedConnection);
  };
}

} // namespace stampede::gui
