from recapqa.cli import main

main()
