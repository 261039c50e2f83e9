// Package oncall answers "who is on call?" for a schedule: rotations in
// layers, restrictions, temporary rosters and overrides, turned into the
// final shifts that the escalation engine pages, GET /api/v1/oncall shows,
// the dry-run simulator replays and calendar feeds publish.
//
// It is pure: no I/O, no clock. Every question takes its instants as
// parameters, so escalation decisions are functions of (schedule, now) and
// tests pin exact instants instead of sleeping.
//
// # Precedence
//
// At any instant the final on-call user is decided in this order, and the
// first rule that applies wins entirely:
//
//  1. Overrides: the user of the last override (in list order) whose
//     [Start, End) contains the instant.
//  2. Temporary schedules: inside a temporary schedule's [Start, End) its
//     layers replace the schedule's normal layers completely. If none of
//     its layers has someone on call, nobody is on call; the normal layers
//     do not show through.
//  3. Layers: the last layer in the list (the highest) that has someone on
//     call wins, as in PagerDuty. A restriction leaves gaps in its layer,
//     and lower layers show through those gaps.
//
// A schedule therefore has at most one on-call user at an instant, which is
// why [Schedule.OnCall] returns one user. Escalation policies that want
// several people list several schedules.
//
// # Wall clock and daylight saving time
//
// Everything a person writes in a schedule is a wall-clock reading in the
// schedule's zone: layer starts, shift lengths and restriction windows. A
// handoff written as 09:00 happens at 09:00 on the local clock every day,
// whatever the UTC offset, so the shift that contains a DST change is an
// hour shorter or longer (23 h or 25 h for a daily rotation; 30 minutes for
// Australia/Lord_Howe).
//
//   - Shift lengths are wall-clock lengths. Handoff k of a layer is its
//     start reading plus k × Shift on the local clock. 1d is exactly 24h and
//     1w is exactly 168h on that clock, so a 12h rotation started at 09:00
//     hands off at 09:00 and 21:00 local forever (11 h or 13 h shifts
//     across a change), just like a 1d rotation keeps 09:00.
//   - A local reading denotes the first instant at which the local clock
//     shows that reading or a later one. For a reading that does not exist
//     (the spring-forward gap, e.g. 02:30 on 2026-03-08 in America/New_York)
//     that is the instant the clock jumps, which the clock shows as the end
//     of the gap (03:00 local). For a reading that happens twice (fall
//     back, 01:30 on 2026-11-01 in New York) it is the first occurrence
//     (01:30 EDT). See [Resolve].
//   - Restriction window edges follow the same rule, and a window crossing
//     midnight ends at its To reading on the next local day, so 22:00–06:00
//     across spring-forward lasts 7 h and across fall-back 9 h.
//   - A consequence of the rules: a shift or window whose both edges fall in
//     the same gap is empty and is dropped (an hourly rotation loses the
//     02:00 turn on a spring-forward night; the rotation still advances, so
//     the next user's turn is not shifted). A 1 h shift starting at the
//     first 01:00 of a fall-back night lasts 2 h.
//
// Overrides and temporary schedules are absolute periods ([time.Time]);
// configuration that writes them as local readings converts them with
// [Resolve] so the same rules apply.
//
// # Cost
//
// The rotation index at an instant is computed arithmetically from the
// number of wall-clock seconds since the layer start, then corrected by at
// most a step or two around DST changes. A schedule that started in 2020
// answers for 2027 as fast as for its first week. [Schedule.Shifts] costs
// time proportional to the number of handoffs, restriction windows and
// overrides inside the asked window, not to the schedule's age.
package oncall
