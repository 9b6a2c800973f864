-- Schema for the ch10 user service. The MariaDB/MySQL entrypoint runs every *.sql
-- file in /docker-entrypoint-initdb.d/ once, on the container's first start (when
-- the data directory is still empty), as root.

CREATE DATABASE IF NOT EXISTS `user`
  DEFAULT CHARACTER SET utf8mb4
  DEFAULT COLLATE utf8mb4_general_ci;

USE `user`;

CREATE TABLE IF NOT EXISTS `user` (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  username      VARCHAR(64)     NOT NULL,
  email         VARCHAR(255)    NOT NULL,
  password_hash VARCHAR(255)    NOT NULL,  -- pbkdf2-sha256$...: never the password itself
  created_at    TIMESTAMP       NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uq_user_username (username)
) ENGINE = InnoDB;
