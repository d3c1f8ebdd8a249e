module billing-api/bench/loadgen

go 1.24
