package storm

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Predicted is one incident as a replay reported it: the fields of
// replay.Incident the score needs, so scoring stays a pure function of
// plain values.
type Predicted struct {
	Number     int64
	OpenedAt   time.Time
	ResolvedAt *time.Time
	Paged      bool
	// QuietHeld says the incident was low urgency, opened in the
	// responders' quiet hours and cleared before they ended: by the
	// low-urgency rule it pages nobody, and that is not a miss.
	QuietHeld bool
	// Alerts are the dedup keys of its alerts, symptoms included, one
	// entry per alert.
	Alerts []string
}

// Score is how a replay's incidents compare with the truth.
//
// The unit is the alert: each entry of a predicted incident, labelled
// with the true incident whose firing of that key it is. A cascade is one
// true incident, so the symptoms on dependent services count as the
// upstream incident's alerts: attaching them as symptoms (or grouping them
// into one incident) is right, paging them as incidents of their own is a
// split. Precision is the share of alert pairs placed together that
// belong together, recall the share of pairs that belong together that
// were placed together (pairwise, as clustering is scored).
type Score struct {
	Alerts         int
	TrueIncidents  int
	Predicted      int
	PagedIncidents int
	Precision      float64
	Recall         float64
	F1             float64
	// PageReduction is 1 - paged incidents / alerts: against one page per
	// alert, as replay's summary counts it.
	PageReduction float64
	// Missed are the non-transient true incidents no paged incident holds
	// (a quiet-hours low-urgency incident that cleared by morning counts
	// as handled, not missed).
	Missed []string
	// QuietHeld are the true incidents handled only by such a hold.
	QuietHeld []string
	// Merged are predicted incidents holding alerts of more than one true
	// incident, as "#N: T01+T05".
	Merged []string
	// TransientPaged are transient true incidents that paged.
	TransientPaged []string
	// Unplaced counts labelled alerts no predicted incident holds; each
	// is scored as an incident of its own.
	Unplaced int
}

// Evaluate scores predicted incidents against the labels. An alert key the
// labels do not know is an error: the events and labels disagree.
func Evaluate(l *Labels, predicted []Predicted) (Score, error) {
	s := Score{TrueIncidents: len(l.Incidents), Predicted: len(predicted)}
	t, err := tallyOf(l, predicted, &s)
	if err != nil {
		return Score{}, err
	}
	tp, pp, tt := 0, 0, 0
	for _, n := range t.cells {
		tp += pairs(n)
	}
	for _, n := range t.predSize {
		pp += pairs(n)
	}
	for _, n := range t.trueSize {
		tt += pairs(n)
	}
	s.Precision, s.Recall = ratio(tp, pp), ratio(tp, tt)
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	if s.Alerts > 0 {
		s.PageReduction = 1 - float64(s.PagedIncidents)/float64(s.Alerts)
	}
	for _, inc := range l.Incidents {
		switch {
		case inc.Transient && t.pagedTrue[inc.ID]:
			s.TransientPaged = append(s.TransientPaged, inc.ID)
		case !inc.Transient && !t.pagedTrue[inc.ID] && t.quietTrue[inc.ID]:
			s.QuietHeld = append(s.QuietHeld, inc.ID)
		case !inc.Transient && !t.pagedTrue[inc.ID]:
			s.Missed = append(s.Missed, inc.ID)
		}
	}
	return s, nil
}

// tally counts alerts per (predicted, true) incident, per predicted and
// per true incident, and which true incidents paged.
type tally struct {
	cells              map[[2]string]int
	predSize, trueSize map[string]int
	pagedTrue          map[string]bool
	quietTrue          map[string]bool
}

// tallyOf labels every alert of the predicted incidents, counts them, and
// fills s's alert, paged, merged and unplaced counts.
func tallyOf(l *Labels, predicted []Predicted, s *Score) (tally, error) {
	byKey := map[string][]int{}
	for i, a := range l.Alerts {
		byKey[a.Key] = append(byKey[a.Key], i)
	}
	t := tally{cells: map[[2]string]int{}, predSize: map[string]int{}, trueSize: map[string]int{},
		pagedTrue: map[string]bool{}, quietTrue: map[string]bool{}}
	placed := make([]bool, len(l.Alerts))
	for _, p := range predicted {
		pid := fmt.Sprint(p.Number)
		var truths []string
		for _, key := range p.Alerts {
			i, err := occurrence(l, byKey[key], p)
			if err != nil {
				return tally{}, fmt.Errorf("incident %d: alert %q: %w", p.Number, key, err)
			}
			placed[i] = true
			truth := l.Alerts[i].Incident
			if t.cells[[2]string{pid, truth}] == 0 {
				truths = append(truths, truth)
			}
			t.cells[[2]string{pid, truth}]++
			t.predSize[pid]++
			t.trueSize[truth]++
			t.pagedTrue[truth] = t.pagedTrue[truth] || p.Paged
			t.quietTrue[truth] = t.quietTrue[truth] || p.QuietHeld
			s.Alerts++
		}
		if p.Paged {
			s.PagedIncidents++
		}
		if len(truths) > 1 {
			sort.Strings(truths)
			s.Merged = append(s.Merged, fmt.Sprintf("#%d: %s", p.Number, strings.Join(truths, "+")))
		}
	}
	for i, ok := range placed {
		if !ok { // scored as an incident of its own
			s.Unplaced++
			s.Alerts++
			t.trueSize[l.Alerts[i].Incident]++
		}
	}
	return t, nil
}

// occurrence picks which labelled firing of a key a predicted incident's
// alert is: the one nearest in time to the incident (overlapping it when
// any does; the labels keep one key's firings an hour apart), and among
// several the one that started nearest the incident's opening.
func occurrence(l *Labels, candidates []int, p Predicted) (int, error) {
	if len(candidates) == 0 {
		return 0, fmt.Errorf("not in the labels")
	}
	end := p.OpenedAt.Add(24 * time.Hour)
	if p.ResolvedAt != nil {
		end = *p.ResolvedAt
	}
	best, bestGap, bestDist := -1, time.Duration(0), time.Duration(0)
	for _, i := range candidates {
		a := &l.Alerts[i]
		gap := time.Duration(0)
		switch {
		case a.Last.Before(p.OpenedAt):
			gap = p.OpenedAt.Sub(a.Last)
		case a.First.After(end):
			gap = a.First.Sub(end)
		}
		dist := a.First.Sub(p.OpenedAt).Abs()
		if best < 0 || gap < bestGap || (gap == bestGap && dist < bestDist) {
			best, bestGap, bestDist = i, gap, dist
		}
	}
	return best, nil
}

func pairs(n int) int { return n * (n - 1) / 2 }

// ratio is a/b, 1 when there is nothing to get wrong (b = 0).
func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
