// Package maintenance keeps a running engine's database in shape and says
// how it is doing: [Check] (health: Healthy, Degraded or Unhealthy with
// reasons), [Ping], [Vacuum], [Analyze], [Optimize] and a periodic
// [Optimizer], [IncrementalVacuum], and the auto_vacuum setting.
//
// Everything goes through the engine's public API: statements that can run
// inside a transaction go through eng.Write (ordered and group-committed with
// the other writes), VACUUM and the auto_vacuum change through eng.Exclusive
// (VACUUM cannot run inside a transaction), measurements through eng.Read.
package maintenance
