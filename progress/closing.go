package progress

import "math"

// ClosingStatus is how an objective or key result ended when its period closed.
type ClosingStatus string

// The closing statuses, as stored and sent over the API. The empty status means none has
// been chosen: before closing it leaves the choice to the score.
const (
	Achieved          ClosingStatus = "achieved"
	PartiallyAchieved ClosingStatus = "partially_achieved"
	Missed            ClosingStatus = "missed"
)

// The score thresholds of the closing statuses. They follow the usual reading of OKR
// scores, where 0.7 is a key result delivered and below 0.3 is one that did not move:
// a score of at least AchievedScore is Achieved, of at least PartialScore is
// PartiallyAchieved, and anything lower is Missed.
const (
	AchievedScore = 0.7
	PartialScore  = 0.3
)

// Valid reports whether s is one of the three closing statuses.
func (s ClosingStatus) Valid() bool {
	switch s {
	case Achieved, PartiallyAchieved, Missed:
		return true
	}
	return false
}

// ClosingStatusOf returns the closing status that a score suggests (see AchievedScore and
// PartialScore). Both thresholds allow Epsilon of rounding noise, so that a score computed
// as 0.7 in floating point is Achieved; a NaN score is Missed.
func ClosingStatusOf(score float64) ClosingStatus {
	switch {
	case math.IsNaN(score):
		return Missed
	case score >= AchievedScore-Epsilon:
		return Achieved
	case score >= PartialScore-Epsilon:
		return PartiallyAchieved
	default:
		return Missed
	}
}
