#define RARVER_MAJOR     7
#define RARVER_MINOR     1
#define RARVER_BETA      0
#define RARVER_DAY      12
#define RARVER_MONTH     5
#define RARVER_YEAR   2024
