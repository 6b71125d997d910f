/* MinGW ships this header lower-case; UnRAR includes it as on MSVC. */
#include <powrprof.h>
