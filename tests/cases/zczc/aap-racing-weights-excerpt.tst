ZCZC FMG000
YY TDA
Eagle Farm WEIGHTS EAGLE FARM<!
(Weights for 11160611   )=!
STRADBROKE HANDICAP 1400M .=!
Black Heart Bart (AUS) 58.0
Delectation (AUS) 57.0
Stratum Star (AUS) 56.5
Malaguerra (AUS) 56.0
Music Magnate (NZ) 55.5
Fell Swoop (AUS) 55.0
Japonisme (AUS) 55.0

NNNN
