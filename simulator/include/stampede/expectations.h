/// @file expectations.h
/// A scenario's `expect` clauses (SPEC section 5): `PATH OP NUMBER`, joined
/// with `and`, read from their text and checked against a run's report.
/// `stampede test`, lessons and the window's lesson panel judge runs so.
///
///     stampede::Parsed<stampede::ExpectClause> c =
///         stampede::parse_expect("anomalies.stale_reads == 0");
#pragma once

#include <string_view>
#include <vector>

#include "stampede/parsed.h"
#include "stampede/report.h"
#include "stampede/scenario.h"

namespace stampede {

/// Parses one `expect` string: `PATH OP NUMBER`, joined with `and`.
/// @param text the expression.
/// @return the clause, or an error naming what was expected (without origin).
Parsed<ExpectClause> parse_expect(std::string_view text);

/// Evaluates a scenario's expect clauses against a report, filling
/// `r.expectations`.
/// @param r the report (updated). @param clauses the clauses.
/// @return whether all held.
bool evaluate_expectations(Report &r, const std::vector<ExpectClause> &clauses);

} // namespace stampede
