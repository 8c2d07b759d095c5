"""The learner's files: the SQLite database, the paths of every file, the config
file and the roadmap cache."""
