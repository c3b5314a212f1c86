package cairn

import "github.com/cairn-okr/cairn/progress"

// closingUpdate is a change of an item's closing score and status, as an update names it.
type closingUpdate struct {
	score      *float64
	clearScore bool
	status     *progress.ClosingStatus
}

// applyClosing applies a closing update to an objective's or key result's score and
// status. While the period is open they are the owners' choices ahead of the close, and an
// empty status leaves the choice to the score. Once it is closed they are final: a new
// score brings the status it suggests unless the update names one too, and an empty
// status goes back to the one the score suggests.
func applyClosing(score **float64, status *progress.ClosingStatus, up closingUpdate, closed bool) error {
	if up.score != nil && up.clearScore {
		return FieldError("clear_score", "give a score or clear_score, not both")
	}
	if up.clearScore {
		if closed {
			return FieldError("clear_score", "the items of a closed period keep their score: give another one instead")
		}
		*score = nil
	}
	if up.score != nil {
		v := *up.score
		if !finite(v) || v < 0 || v > 1 {
			return FieldError("score", "score must be between 0 and 1")
		}
		*score = &v
		if closed && up.status == nil {
			*status = progress.ClosingStatusOf(v)
		}
	}
	if up.status != nil {
		st := *up.status
		if st != "" && !st.Valid() {
			return FieldError("closing_status", "closing_status must be achieved, partially_achieved or missed (or empty to follow the score), not %q", st)
		}
		if st == "" && closed && *score != nil {
			st = progress.ClosingStatusOf(**score)
		}
		*status = st
	}
	return nil
}
