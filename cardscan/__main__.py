from cardscan.cli import main

main()
