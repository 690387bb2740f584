package recommend

// SetFirstRead sets how many candidates Recommend reads first.
func SetFirstRead(r *Recommender, n int) { r.firstRead = n }
