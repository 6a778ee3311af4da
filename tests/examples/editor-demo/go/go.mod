module example.com/editordemo

go 1.19
