// The `stampede` executable: everything is in cli/.
#include "cli.h"

int main(int argc, char **argv) { return stampede::cli_main(argc, argv); }
